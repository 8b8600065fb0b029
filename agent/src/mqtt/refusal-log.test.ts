import { describe, expect, it } from "vitest";
import { classifyConnectError, safeUrl } from "./refusal-log.js";

describe("refusal classification", () => {
  it("tells TLS failures and CONNACK refusals from ordinary network failures", () => {
    const connack = Object.assign(new Error("Connection refused: Bad username or password"), { code: 4 });
    expect(classifyConnectError(connack)).toMatchObject({ kind: "connack", code: 4 });
    const tlsErr = Object.assign(new Error("unable to verify the first certificate"), {
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
    expect(classifyConnectError(tlsErr)).toMatchObject({ kind: "tls", code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    const alert = Object.assign(new Error("sslv3 alert bad certificate"), {
      code: "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
    });
    expect(classifyConnectError(alert)?.kind).toBe("tls");
    expect(classifyConnectError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBeNull();
    expect(classifyConnectError("not an error")).toBeNull();
  });

  it("never logs user info from a URL", () => {
    expect(safeUrl("mqtts://board:s3cret@broker.example:8883")).toBe("mqtts://broker.example:8883");
    expect(safeUrl("mqtt://127.0.0.1:1883")).toBe("mqtt://127.0.0.1:1883");
  });
});
