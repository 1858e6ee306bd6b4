/**
 * compose.yaml and the Dockerfile against the code, without a Docker engine: each app service runs
 * an entry point that exists (with flags the app knows), its environment keys are settings of the
 * sections it reads and load without error, published and scraped ports are the settings'
 * defaults, every mounted file exists, images are pinned, long-running services have health
 * checks, restart policies, drain periods and memory limits, and the image runs as a non-root user
 * with what the apps read. (The image's `npm ci` runs in dockerfile.integration.test.ts.)
 */
import { describe, expect, test } from "bun:test"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { APP_METRICS } from "../apps/metric-tables.ts"
import { APP_COMMANDS } from "../lib/config/apps.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { runFlagNameOf } from "../lib/config/command-spec.ts"
import { loadConfig } from "../lib/config/load-config.ts"
import { flagNameOf, keysOf, type SectionName, sectionOf, specOf } from "../lib/config/sections.ts"

const ROOT = resolve(import.meta.dir, "../..")
const COMPOSE_TEXT = readFileSync(join(ROOT, "compose.yaml"), "utf8")

interface Service {
  image?: string
  build?: string
  command?: string[]
  environment?: Record<string, string>
  env_file?: { path: string; required?: boolean }[]
  ports?: string[]
  volumes?: string[]
  healthcheck?: { test: string[] }
  restart?: string
  stop_grace_period?: string
  profiles?: string[]
  secrets?: string[]
  depends_on?: Record<string, unknown> | string[]
  deploy?: { resources?: { limits?: { memory?: string } } }
}
interface Compose {
  name: string
  services: Record<string, Service>
  secrets?: Record<string, { environment?: string; file?: string }>
}
const compose = Bun.YAML.parse(COMPOSE_TEXT) as Compose
const services = Object.entries(compose.services)
const OUR_IMAGE = "raidhub-services"
const ours = services.filter(([, s]) => s.image === OUR_IMAGE)
const oneShot = new Set(["migrate"])

/** The command spec of an app service (by name), or the shared-only spec of a tool. */
function commandOf(service: string): Pick<CommandSpec, "name" | "sections" | "flags"> {
  return APP_COMMANDS.find((c) => c.name === service) ?? { name: service, sections: ["shared"], flags: {} }
}

/** Compose's interpolation with an empty environment: ${X:-d} → d, ${X}/${X:?m} → "". */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}/g, (_m, _name, op, arg) => (op === "-" ? arg : ""))
}

function metricsPortKey(app: string): string {
  return `${app.toUpperCase()}_METRICS_PORT`
}
function defaultPort(key: string): number {
  const spec = specOf(key)
  if (spec?.type !== "port" || typeof spec.default !== "number") throw new Error(`${key} is not a port setting with a default`)
  return spec.default
}
const containerPort = (mapping: string) => Number(mapping.split(":").at(-1))

describe("compose.yaml", () => {
  test("no merge-conflict markers, and the file parses into the whole system", () => {
    expect(COMPOSE_TEXT.split("\n").filter((l) => /^(<{7}|={7}|>{7})( |$)/.test(l))).toEqual([])
    expect(compose.name).toBe("raidhub")
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        "alertmanager",
        "alloy",
        "atlas",
        "clickhouse",
        "cloudflared",
        "grafana",
        "hermes",
        "loki",
        "migrate",
        "postgres",
        "prometheus",
        "rabbitmq",
        "scheduler",
        "zeus",
      ].sort(),
    )
    expect(compose.services.cloudflared!.profiles).toEqual(["tunnel"])
  })

  test("our services run one image, each an entry point that exists and a package.json script names", () => {
    const scripts = Object.values(
      (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts,
    )
    expect(ours.map(([name]) => name).sort()).toEqual(["atlas", "hermes", "migrate", "scheduler", "zeus"])
    for (const [name, s] of ours) {
      expect(s.build).toBe(".")
      const [bun, entry, ...args] = s.command ?? []
      expect([name, bun]).toEqual([name, "bun"])
      expect(existsSync(join(ROOT, entry!))).toBe(true)
      expect(scripts.some((script) => script === `exec bun ${entry}`)).toBe(true)
      // Flags, if any, are the app's run flags or settings of its sections.
      const spec = commandOf(name)
      const known = new Set([
        ...Object.keys(spec.flags).map(runFlagNameOf),
        ...spec.sections.flatMap((section) => keysOf(section).map(flagNameOf)),
      ])
      for (const arg of args.filter((a) => a.startsWith("--")))
        expect(`${name} ${arg}`).toBe(`${name} --${known.has(arg.slice(2).split("=")[0]!) ? arg.slice(2) : "(unknown flag)"}`)
    }
  })

  test("every environment key of our services is a setting of a section the app reads, and the values load", () => {
    for (const [name, s] of ours) {
      const sections = commandOf(name).sections
      const env = s.environment ?? {}
      expect(Object.keys(env).length).toBeGreaterThan(5)
      for (const key of Object.keys(env)) {
        expect(`${name}: ${key} → ${specOf(key) ? "a setting" : "unknown"}`).toBe(`${name}: ${key} → a setting`)
        expect(sections).toContain(sectionOf(key)!)
      }
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(String(v))]))
      expect(() => loadConfig(sections as SectionName[], resolved)).not.toThrow()
    }
  })

  test("apps publish, are scraped and health-checked on their metrics port's default; clients reach zeus on ZEUS_PORT", () => {
    const prometheus = Bun.YAML.parse(readFileSync(join(ROOT, "ops/prometheus.yml"), "utf8")) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[]
    }
    const targets = new Map(prometheus.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((sc) => sc.targets)]))
    for (const [name, s] of ours.filter(([n]) => !oneShot.has(n))) {
      const port = defaultPort(metricsPortKey(name))
      expect([name, s.ports?.map(containerPort)]).toEqual([name, [port]])
      expect([name, targets.get(name)]).toEqual([name, [`${name}:${port}`]])
      expect(s.healthcheck?.test.join(" ")).toContain(`http://127.0.0.1:${port}/healthz`)
    }
    // Every app whose metric table the dashboards read is scraped (by that job name).
    for (const { job } of APP_METRICS) expect([...targets.keys()]).toContain(job)
    const zeusUrl = new URL(compose.services.atlas!.environment!.ZEUS_URL!)
    expect([zeusUrl.hostname, Number(zeusUrl.port)]).toEqual(["zeus", defaultPort("ZEUS_PORT")])
    // The tunnel sends /status to atlas's metrics port.
    expect(readFileSync(join(ROOT, "ops/cloudflared/config.yml"), "utf8")).toContain(
      `service: http://atlas:${defaultPort("ATLAS_METRICS_PORT")}`,
    )
  })

  test("Grafana's datasources and Prometheus's Alertmanager point at ports the services listen on", () => {
    const listens: Record<string, number> = { prometheus: 9090, loki: 3100, alertmanager: 9093 }
    for (const [name, port] of Object.entries(listens)) expect(compose.services[name]!.ports?.map(containerPort)).toEqual([port])
    const datasources = Bun.YAML.parse(readFileSync(join(ROOT, "ops/grafana/provisioning/datasources/datasources.yml"), "utf8")) as {
      datasources: { url: string }[]
    }
    for (const { url } of datasources.datasources) {
      const u = new URL(url)
      expect([u.hostname, Number(u.port)]).toEqual([u.hostname, listens[u.hostname]!])
    }
    expect(readFileSync(join(ROOT, "ops/prometheus.yml"), "utf8")).toContain(`targets: ["alertmanager:${listens.alertmanager}"]`)
  })

  test("every mounted file exists, and Grafana and Prometheus find theirs where they look", () => {
    const mounts = services.flatMap(([name, s]) =>
      (s.volumes ?? []).map((v) => ({ name, source: v.split(":")[0]!, target: v.split(":")[1]! })),
    )
    const files = mounts.filter((m) => m.source.startsWith("./"))
    expect(files.length).toBeGreaterThanOrEqual(8)
    for (const m of files) expect(`${m.name}: ${m.source} ${existsSync(join(ROOT, m.source))}`).toBe(`${m.name}: ${m.source} true`)
    const provider = Bun.YAML.parse(readFileSync(join(ROOT, "ops/grafana/provisioning/dashboards/dashboards.yml"), "utf8")) as {
      providers: { options: { path: string } }[]
    }
    const dashboardsMount = files.find((m) => m.source === "./ops/grafana/dashboards")!
    expect(provider.providers[0]!.options.path).toBe(dashboardsMount.target)
    const home = compose.services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!
    expect(readdirSync(join(ROOT, "ops/grafana/dashboards"))).toContain(home.slice(dashboardsMount.target.length + 1))
    // prometheus.yml names its rule file relative to itself: both are mounted into one directory.
    const prom = files.filter((m) => m.name === "prometheus")
    expect(prom.map((m) => m.target).sort()).toEqual(["/etc/prometheus/alerts.yml", "/etc/prometheus/prometheus.yml"])
    expect(compose.services.prometheus!.command).toContain("--config.file=/etc/prometheus/prometheus.yml")
    // Alertmanager reads the webhook from the secret compose makes of DISCORD_WEBHOOK_URL.
    expect(compose.secrets?.discord_webhook_url?.environment).toBe("DISCORD_WEBHOOK_URL")
    expect(readFileSync(join(ROOT, "ops/alertmanager/alertmanager.yml"), "utf8")).toContain("/run/secrets/discord_webhook_url")
  })

  test("every interpolated variable is an app setting or a stack setting listed in ops/stack.env.example", () => {
    const stack = new Set(
      readFileSync(join(ROOT, "ops/stack.env.example"), "utf8")
        .split("\n")
        .map((l) => /^([A-Z0-9_]+)=/.exec(l)?.[1])
        .filter((k): k is string => k !== undefined),
    )
    const vars = [...COMPOSE_TEXT.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!)
    const secretVars = Object.values(compose.secrets ?? {}).flatMap((s) => (s.environment ? [s.environment] : []))
    expect(vars.length).toBeGreaterThan(5)
    for (const v of [...vars, ...secretVars]) expect(`${v}: ${specOf(v) !== undefined || stack.has(v)}`).toBe(`${v}: true`)
    // A stack key with an app prefix would be refused by the apps as an unknown setting.
    for (const key of stack) expect(key).not.toMatch(/^(ATLAS|HERMES|ZEUS|SCHEDULER|RELAY)_/)
    expect(COMPOSE_TEXT).not.toContain('GF_AUTH_ANONYMOUS_ENABLED: "true"')
    expect(compose.services.grafana!.environment!.GF_AUTH_ANONYMOUS_ENABLED).toBe("false")
  })

  test("images are pinned; long-running services have a restart policy, a drain period and a memory limit", () => {
    for (const [name, s] of services) {
      if (s.image !== OUR_IMAGE) expect(`${name} ${s.image}`).toMatch(/:v?\d+\.\d+(\.\d+)*(-[a-z]+)?$/)
      expect([name, s.deploy?.resources?.limits?.memory]).toEqual([name, expect.stringMatching(/^\d+[mg]$/)])
      if (oneShot.has(name)) {
        expect(s.restart).toBe("no")
        continue
      }
      expect([name, s.restart]).toEqual([name, "unless-stopped"])
    }
    for (const [name, s] of ours.filter(([n]) => !oneShot.has(n))) {
      expect([name, Number.parseInt(s.stop_grace_period ?? "0", 10)]).toEqual([name, expect.any(Number)])
      expect(Number.parseInt(s.stop_grace_period!, 10)).toBeGreaterThanOrEqual(20)
    }
    // Atlas's drain: fetchers, writer, checkpoint and relays, each step bounded at 30 s.
    expect(Number.parseInt(compose.services.atlas!.stop_grace_period!, 10)).toBeGreaterThanOrEqual(90)
    for (const name of [
      "postgres",
      "rabbitmq",
      "clickhouse",
      "prometheus",
      "alertmanager",
      "grafana",
      "atlas",
      "hermes",
      "zeus",
      "scheduler",
    ]) {
      expect([name, compose.services[name]!.healthcheck?.test.length]).toEqual([name, expect.any(Number)])
    }
  })
})

describe("Dockerfile", () => {
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8")

  test("runs as a non-root user and copies what the apps read at run time", () => {
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1])
    expect(users.at(-1)).not.toMatch(/^(root|0)$/)
    const copied = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)\s+\S+$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/))
    for (const source of copied) expect(`${source} ${existsSync(join(ROOT, source))}`).toBe(`${source} true`)
    const needed = [
      ...ours.map(([, s]) => s.command![1]!.split("/")[0]!),
      "workers",
      "sql",
      "clickhouse",
      String(specOf("SCHEDULER_SCHEDULE_FILE")!.default),
      "package.json",
      "tsconfig.json",
    ]
    for (const path of needed) expect(`${path} ${copied.some((c) => path === c || path.startsWith(`${c}/`))}`).toBe(`${path} true`)
  })
})
