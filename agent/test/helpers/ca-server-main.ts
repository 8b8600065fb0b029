import { startCaServer, type PvDef } from "./ca-server.js";

/**
 * The test CA server as its own process (an IOC stand-in a test can kill -9):
 * `node ca-server-main.js '{"port":0,"pvs":[…]}'` prints `{"port":N}` once it serves.
 */
const arg = JSON.parse(process.argv[2] ?? "{}") as { port?: number; pvs?: PvDef[] };
const srv = await startCaServer({ pvs: arg.pvs ?? [], ...(arg.port ? { port: arg.port } : {}) });
process.stdout.write(`${JSON.stringify({ port: srv.port })}\n`);
const stop = () => void srv.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
