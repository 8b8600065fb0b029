import { join } from "node:path";
import { ADMIN_PASSWORD, FLEET_SECRET } from "./helpers.js";

/** Environment of the real server program (`manager/dist/main.js`) in a test: every port 0, 127.0.0.1, `dir`/data. */
export function programEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BBB_DATA_DIR: join(dir, "data"),
    BBB_BIND: "127.0.0.1",
    BBB_MQTT_PORT: "0",
    BBB_MQTTS_PORT: "0",
    BBB_HTTP_PORT: "0",
    BBB_CMD_PORT: "0",
    BBB_SFTP_PORT: "0",
    BBB_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BBB_FLEET_SECRET: FLEET_SECRET,
    ...extra,
  };
}
