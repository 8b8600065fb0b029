import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

// docker-stack.yml (docs/deployment.md §"On the server"): no Docker engine runs here, so the file is
// validated by the docker client's own renderer, `docker stack config`, and the rendered form
// is checked for the services, ports, secrets, limits and policies the issue asks for.
const repo = resolve(import.meta.dirname, "..", "..");
const docker = spawnSync("docker", ["--version"], { encoding: "utf8" });
const noDocker = docker.status === 0 ? "" : "(docker client not installed)";

interface Port {
  target: number;
  published: string | number;
  protocol?: string;
  mode?: string;
}
interface Service {
  image: string;
  environment?: Record<string, string>;
  ports?: Port[];
  secrets?: { source: string; target?: string }[];
  volumes?: { type: string; source: string; target: string }[];
  networks?: Record<string, unknown>;
  deploy?: {
    replicas?: number;
    restart_policy?: { condition?: string };
    resources?: { limits?: { cpus?: string; memory?: string } };
    placement?: { constraints?: string[]; max_replicas_per_node?: number };
  };
  healthcheck?: unknown;
}
interface Rendered {
  services: Record<string, Service>;
  networks: Record<string, { driver?: string }>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { external?: boolean }>;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function render(file: string, env: Record<string, string> = {}) {
  return spawnSync("docker", ["stack", "config", "-c", file], {
    encoding: "utf8",
    cwd: repo,
    env: { ...process.env, ...env },
  });
}

describe.skipIf(noDocker !== "")(`docker stack config -c docker-stack.yml ${noDocker}`, () => {
  const r = noDocker === "" ? render("docker-stack.yml") : null;
  const doc = (r?.status === 0 ? parse(r.stdout) : { services: {} }) as Rendered;
  const svc = (name: string): Service => {
    const s = doc.services[name];
    if (!s) throw new Error(`service ${name} missing`);
    return s;
  };
  const published = (s: Service) => (s.ports ?? []).map((p) => Number(p.published)).sort((a, b) => a - b);

  it("renders with exit code 0 and nothing on stderr", () => {
    expect(r?.stderr).toBe("");
    expect(r?.status).toBe(0);
    expect(Object.keys(doc.services).sort()).toEqual(["broker", "manager", "redis"]);
  });

  it("publishes 1883 / 8883 on the brokers and 4850 / 6789 / 1026 on the manager, in host mode", () => {
    expect(published(svc("broker"))).toEqual([1883, 8883]);
    expect(published(svc("manager"))).toEqual([1026, 4850, 6789]);
    for (const p of [...(svc("broker").ports ?? []), ...(svc("manager").ports ?? [])]) {
      expect(p.mode).toBe("host");
      expect(p.protocol).toBe("tcp");
    }
    expect(svc("redis").ports ?? []).toEqual([]);
  });

  it("runs several broker replicas sharing Redis and exactly one manager with a data volume", () => {
    const broker = svc("broker");
    expect(broker.environment?.BBB_ROLE).toBe("broker");
    expect(broker.deploy?.replicas).toBeGreaterThan(1);
    expect(broker.deploy?.placement?.max_replicas_per_node).toBe(1);
    expect(broker.environment?.BBB_REDIS_URL_FILE).toBe("/run/secrets/bbb_redis_url");
    const manager = svc("manager");
    expect(manager.environment?.BBB_ROLE).toBe("manager");
    expect(manager.deploy?.replicas).toBe(1);
    expect(manager.environment?.BBB_MQTT_URL).toMatch(/^mqtt:\/\/broker:1883$/);
    expect(manager.volumes).toEqual([
      expect.objectContaining({ type: "volume", source: "manager-data", target: manager.environment?.BBB_DATA_DIR }),
    ]);
    expect(svc("redis").image).toMatch(/^redis:\d+\.\d+\.\d+/);
  });

  it("passes the fleet secret, admin password and TLS files as Swarm secrets (*_FILE convention)", () => {
    for (const name of ["bbb_fleet_secret", "bbb_admin_password", "bbb_tls_cert", "bbb_tls_key", "bbb_tls_ca"]) {
      expect(doc.secrets[name]?.external).toBe(true);
      for (const s of ["broker", "manager"]) expect(svc(s).secrets?.map((x) => x.source)).toContain(name);
    }
    for (const s of ["broker", "manager"]) {
      const env = svc(s).environment ?? {};
      expect(env.BBB_FLEET_SECRET_FILE).toBe("/run/secrets/bbb_fleet_secret");
      expect(env.BBB_ADMIN_PASSWORD_FILE).toBe("/run/secrets/bbb_admin_password");
      expect(env.BBB_TLS_KEY).toBe("/run/secrets/bbb_tls_key");
      // No secret value in the environment itself.
      expect(env.BBB_FLEET_SECRET).toBeUndefined();
      expect(env.BBB_ADMIN_PASSWORD).toBeUndefined();
    }
  });

  it("limits resources, restarts on failure and joins one overlay network", () => {
    for (const [name, s] of Object.entries(doc.services)) {
      expect(s.deploy?.resources?.limits?.memory, name).toMatch(/^\d+$/);
      expect(Number(s.deploy?.resources?.limits?.cpus), name).toBeGreaterThan(0);
      expect(s.deploy?.restart_policy?.condition, name).toBe("any");
      expect(Object.keys(s.networks ?? {}), name).toEqual(["fleet"]);
    }
    expect(doc.networks.fleet?.driver).toBe("overlay");
  });

  it("takes the image from BBB_IMAGE", () => {
    const other = render("docker-stack.yml", { BBB_IMAGE: "registry.example:5000/bbb-fleet:9.9.9" });
    expect(other.status).toBe(0);
    const d = parse(other.stdout) as Rendered;
    expect(d.services.broker?.image).toBe("registry.example:5000/bbb-fleet:9.9.9");
    expect(d.services.manager?.image).toBe("registry.example:5000/bbb-fleet:9.9.9");
  });

  it("the check itself refuses a broken stack file", () => {
    const dir = mkdtempSync(join(tmpdir(), "bbb-stack-"));
    dirs.push(dir);
    const broken = readFileSync(join(repo, "docker-stack.yml"), "utf8").replace("replicas: 3", "replicas: three");
    writeFileSync(join(dir, "stack.yml"), broken);
    const bad = render(join(dir, "stack.yml"));
    expect(bad.status).not.toBe(0);
  });
});
