import { buildMosquittoFiles } from "@bbb/broker";
import { CodedError, boardIdSchema, mosquittoExportParamsSchema, mosquittoExportResultSchema } from "@bbb/shared";
import { ManagerErrorCodes } from "../errors.js";
import { defineMethod, type MethodDef } from "../service/method.js";
import type { ServiceDeps } from "../service/methods/index.js";

/** Board ids the broker must admit: every board the registry knows that runs our agent, and every node's board. */
function knownBoards(deps: ServiceDeps): string[] {
  const ids = new Set<string>();
  for (const [id, r] of deps.registry.records) if (r.agent === "bbb-agent") ids.add(id);
  for (const n of deps.registry.nodes.values()) if (n.boardId) ids.add(n.boardId);
  return [...ids].filter((id) => boardIdSchema.safeParse(id).success);
}

/**
 * `mosquitto.export` (admin; `bbbctl export mosquitto`): mosquitto's `password_file` and
 * `acl_file` from the user store and the fleet secret (docs/deployment.md §"An existing MQTT
 * broker"). The answer holds password hashes: admins only, and `bbbctl` writes it mode 0600.
 */
export function mosquittoExportMethods(deps: ServiceDeps, fleetSecret: () => string): MethodDef[] {
  return [
    defineMethod({
      name: "mosquitto.export",
      description: "mosquitto's password and ACL files for the users, the known boards (and those named) and the manager.",
      role: "admin",
      params: mosquittoExportParamsSchema,
      result: mosquittoExportResultSchema,
      http: { method: "POST", path: "/mosquitto/export" },
      handler: (p) => {
        if (!deps.users) throw new CodedError(ManagerErrorCodes.UNAVAILABLE, "no user store on this server");
        return buildMosquittoFiles({
          root: deps.topicRoot,
          fleetSecret: fleetSecret(),
          users: deps.users.mosquittoEntries(),
          boards: [...knownBoards(deps), ...(p.boards ?? [])],
        });
      },
    }),
  ];
}
