import { CodedError, hostsMetricsParamsSchema, hostsMetricsResultSchema, metricFields, metricStep } from "@bbb/shared";
import { ManagerErrorCodes, notFound } from "../../errors.js";
import { defineMethod, type MethodDef } from "../method.js";
import type { ServiceDeps } from "./deps.js";

const DAY_MS = 86_400_000;

/** hosts.metrics: a board's health series (docs/protocol.md §"Health history"). */
export function metricMethods(deps: ServiceDeps): MethodDef[] {
  return [
    defineMethod({
      name: "hosts.metrics",
      description:
        "Health series of one board: {id, fields?, from?, to?, step?} (ms; default the last 24 h at the finest step within 2000 points).",
      role: "viewer",
      params: hostsMetricsParamsSchema,
      result: hostsMetricsResultSchema,
      http: { method: "GET", path: "/hosts/{id}/metrics" },
      handler: (p) => {
        const h = deps.health;
        if (!h)
          throw new CodedError(ManagerErrorCodes.UNAVAILABLE, "the health history is switched off (healthHistory)");
        if (!deps.registry.records.has(p.id) && !h.knows(p.id)) throw notFound(`board ${p.id}`);
        const to = p.to ?? deps.now();
        const from = p.from ?? to - DAY_MS;
        if (from >= to) throw new CodedError(ManagerErrorCodes.INVALID_PARAMS, "from must be before to");
        return h.query({ id: p.id, fields: p.fields ?? metricFields, from, to, step: metricStep(from, to, p.step) });
      },
    }),
  ];
}
