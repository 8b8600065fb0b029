import {
  commandsGetParamsSchema,
  commandsGetResultSchema,
  commandsListParamsSchema,
  commandsListResultSchema,
  hostsCommandParamsSchema,
  hostsCommandResultSchema,
} from "@bbb/shared";
import { notFound } from "../../errors.js";
import { defineMethod, type MethodDef } from "../method.js";
import type { ServiceDeps } from "./deps.js";
import { commandHandler } from "./hosts.js";

export function commandMethods(deps: ServiceDeps): MethodDef[] {
  return [
    defineMethod({
      name: "commands.run",
      description: "Sends an action to a target (ids or filter) with concurrency, canary, abort threshold and timeout.",
      role: "operator",
      params: hostsCommandParamsSchema,
      result: hostsCommandResultSchema,
      http: { method: "POST", path: "/commands" },
      handler: commandHandler(deps),
    }),
    defineMethod({
      name: "commands.list",
      description: "Command runs, newest first (without per-board outcomes).",
      role: "viewer",
      params: commandsListParamsSchema,
      result: commandsListResultSchema,
      http: { method: "GET", path: "/commands" },
      handler: (p) => ({ items: deps.store.runs.list(p) }),
    }),
    defineMethod({
      name: "commands.get",
      description: "One command run with every per-board outcome (live while it runs).",
      role: "viewer",
      params: commandsGetParamsSchema,
      result: commandsGetResultSchema,
      http: { method: "GET", path: "/commands/{id}" },
      handler: (p) => {
        const run = deps.runner.get(p.id);
        if (!run) throw notFound(`run ${p.id}`);
        return run;
      },
    }),
  ];
}
