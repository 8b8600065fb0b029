import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import {
  ADMIN_PASSWORD,
  connectClient,
  request,
  startSimBoard,
  startTestServer,
  waitFor,
  type SimBoard,
  type TestServer,
} from "./helpers.js";
import { invokeMethod } from "../src/front/invoke.js";
import { silentLogger } from "../src/log.js";
import type { Run } from "@bbb/shared";

/** `mosquitto_sub` following every result, lines kept. */
function mosquittoSub(port: number): { proc: ChildProcess; lines: string[]; ready: Promise<void> } {
  const proc = spawn(
    "mosquitto_sub",
    [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-u",
      "admin",
      "-P",
      ADMIN_PASSWORD,
      "-i",
      "sub-results",
      "-t",
      "bbb/+/result/#",
      "-v",
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines: string[] = [];
  proc.stdout?.on("data", (d: Buffer) =>
    lines.push(
      ...d
        .toString()
        .split("\n")
        .filter((l) => l.trim()),
    ),
  );
  // mosquitto_sub prints nothing on connect: give it a moment to subscribe.
  const ready = new Promise<void>((r) => setTimeout(r, 400));
  return { proc, lines, ready };
}

const resultStatuses = (lines: string[], boardId: string, requestId?: string) =>
  lines
    .filter((l) => l.startsWith(`bbb/${boardId}/result/${requestId ?? ""}`))
    .map((l) => (JSON.parse(l.slice(l.indexOf(" ") + 1)) as { status: string }).status);

describe("commands to boards", () => {
  let srv: TestServer;
  let admin: MqttClient;
  let board: SimBoard;
  let sub: ReturnType<typeof mosquittoSub>;

  beforeAll(async () => {
    srv = await startTestServer();
    admin = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    expect(
      (await request(admin, "users.upsert", { username: "op", role: "operator", password: "operator-password" }))
        .status,
    ).toBe("ok");
    board = await startSimBoard(srv.mqttUrl, 21);
    await waitFor(() => srv.server.manager.registry.records.get(board.boardId)?.alive, 5000, "board alive");
    sub = mosquittoSub(srv.server.ports.mqtt as number);
    await sub.ready;
  });
  afterAll(async () => {
    sub?.proc.kill("SIGTERM");
    await board?.stop();
    await board?.root.cleanup();
    await admin?.endAsync();
    await srv?.stop();
  });

  it("runs a command through the service function: accepted and succeeded seen by mosquitto_sub", async () => {
    const m = srv.server.manager;
    const out = await invokeMethod(
      m.table,
      "hosts.command",
      { id: board.boardId, action: "ping" },
      { username: "tester", role: "operator", via: "internal" },
      silentLogger(),
    );
    expect(out.ok).toBe(true);
    const run = (out as { data: Run }).data;
    expect(run).toMatchObject({
      status: "completed",
      total: 1,
      by: "tester",
      outcomes: [{ boardId: board.boardId, status: "succeeded" }],
    });
    const requestId = run.outcomes[0]?.requestId as string;
    await waitFor(
      () => resultStatuses(sub.lines, board.boardId, requestId).includes("succeeded"),
      3000,
      "result lines",
    );
    expect(resultStatuses(sub.lines, board.boardId, requestId)).toEqual(
      expect.arrayContaining(["accepted", "succeeded"]),
    );
    const hist = await request(admin, "hosts.history", { id: board.boardId });
    const kinds = (hist.data as { items: { kind: string; by: string | null }[] }).items.map(
      (h) => `${h.kind}:${h.by ?? ""}`,
    );
    expect(kinds).toEqual(expect.arrayContaining(["command:tester", "result:tester", "run:tester"]));
  });

  it("executes a command sent with mosquitto_pub by an operator", async () => {
    const before = sub.lines.length;
    const pub = spawn(
      "mosquitto_pub",
      [
        "-h",
        "127.0.0.1",
        "-p",
        String(srv.server.ports.mqtt),
        "-u",
        "op",
        "-P",
        "operator-password",
        "-q",
        "1",
        "-t",
        `bbb/${board.boardId}/cmd/ping`,
        "-m",
        "{}",
      ],
      { stdio: "inherit" },
    );
    const code = await new Promise<number | null>((r) => pub.on("exit", r));
    expect(code).toBe(0);
    await waitFor(
      () => resultStatuses(sub.lines.slice(before), board.boardId).includes("succeeded"),
      3000,
      "mosquitto result",
    );
    expect(resultStatuses(sub.lines.slice(before), board.boardId)).toEqual(
      expect.arrayContaining(["accepted", "succeeded"]),
    );
  });

  it("refuses a command with invalid args before sending anything", async () => {
    const r = await request(admin, "hosts.command", {
      id: board.boardId,
      action: "restart-service",
      args: { name: "-rf /" },
    });
    expect(r).toMatchObject({ status: "error", error: { code: "MGR_E_INVALID_PARAMS" } });
  });

  it("stops a run whose canary fails: the rest is skipped, one aggregate comes back", async () => {
    const second = await startSimBoard(srv.mqttUrl, 22);
    try {
      await waitFor(() => srv.server.manager.registry.records.get(second.boardId)?.alive, 5000, "second board alive");
      // A unit outside the agent's allow-list: the board rejects it.
      const r = await request(admin, "commands.run", {
        target: { ids: [board.boardId, second.boardId] },
        action: "restart-service",
        args: { name: "sshd" },
        options: { canary: 1, concurrency: 1 },
      });
      expect(r.status).toBe("ok");
      const run = r.data as Run;
      expect(run.status).toBe("aborted");
      expect(run.abortReason).toMatch(/canary/);
      expect(run.outcomes.map((o) => o.status)).toEqual(["rejected", "skipped"]);
      expect(run.counts).toMatchObject({ rejected: 1, skipped: 1 });
      const stored = await request(admin, "commands.list", {});
      expect((stored.data as { items: { id: string; status: string }[] }).items).toContainEqual(
        expect.objectContaining({ id: run.id, status: "aborted" }),
      );
    } finally {
      await second.stop();
      await second.root.cleanup();
    }
  });

  it("binds a spare to a node: apply-node sent, the swap in history, the board rebooting", async () => {
    expect((await request(admin, "types.upsert", { name: "mbtemp" })).status).toBe("ok");
    const node = {
      hostname: "LA-RaCtrl--CO-Spare-1",
      ip: { mode: "manual", ip: "10.128.1.50", netmask: "255.255.255.128", gateway: "10.128.1.1" },
      type: "mbtemp",
      boardId: "deadbeef0001",
    };
    expect((await request(admin, "nodes.upsert", node)).status).toBe("ok");
    const r = await request(admin, "nodes.bind", { hostname: node.hostname, boardId: board.boardId });
    expect(r).toMatchObject({
      status: "ok",
      data: {
        previousBoardId: "deadbeef0001",
        node: { boardId: board.boardId },
        run: { action: "apply-node", outcomes: [{ status: "accepted" }] },
      },
    });
    const hist = await request(admin, "history.query", { hostname: node.hostname, kind: ["registry"] });
    expect((hist.data as { items: { message: string }[] }).items[0]?.message).toBe(
      `board ${board.boardId} replaces deadbeef0001 on node ${node.hostname}`,
    );
    await waitFor(
      () => srv.server.manager.registry.records.get(board.boardId)?.state === "rebooting",
      3000,
      "rebooting",
    );
    await waitFor(() => board.exec.state.hostname === node.hostname, 3000, "hostname applied on the board");
  });
});
