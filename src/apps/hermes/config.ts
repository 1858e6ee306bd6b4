/**
 * A tiny loader for hermes's own keys (config-keys.ts) until they join the shared config: env
 * values parsed per their spec, every problem reported at once naming the key and the value.
 */
import { isIP } from "node:net"
import { ConfigError, type ConfigIssue, type ConfigSpec } from "../../lib/config.ts"
import { HERMES_CONFIG_KEYS } from "./config-keys.ts"

type Keys = typeof HERMES_CONFIG_KEYS

export interface HermesConfig {
  HERMES_QUEUES: string | null
  HERMES_RELAYS: boolean
  HERMES_SCALE_INTERVAL_MS: number
  HERMES_SETTINGS_INTERVAL_MS: number
  HERMES_MAX_CONCURRENCY: number
  HERMES_SOURCE_ADDRESSES: readonly string[]
  SERVICE_WAIT_SECONDS: number
}

export function loadHermesConfig(env: Record<string, string | undefined>): HermesConfig {
  const issues: ConfigIssue[] = []
  const out: Record<string, unknown> = {}
  for (const [key, spec] of Object.entries(HERMES_CONFIG_KEYS) as [keyof Keys, ConfigSpec][]) {
    const raw = env[key]?.trim()
    if (raw === undefined || raw === "") {
      out[key] = spec.default
      continue
    }
    const parsed = parse(spec, raw)
    if (typeof parsed === "string") issues.push({ key, value: JSON.stringify(raw), reason: parsed })
    else out[key] = parsed.value
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith("HERMES_") && name !== "HERMES_METRICS_PORT" && !(name in HERMES_CONFIG_KEYS)) {
      issues.push({
        key: name,
        value: JSON.stringify(env[name] ?? ""),
        reason: `unknown key (known: ${Object.keys(HERMES_CONFIG_KEYS).join(", ")})`,
      })
    }
  }
  if (issues.length > 0) throw new ConfigError(issues)
  return Object.freeze(out) as unknown as HermesConfig
}

function parse(spec: ConfigSpec, raw: string): { value: unknown } | string {
  switch (spec.type) {
    case "int": {
      const n = /^[+-]?\d+$/.test(raw) ? Number(raw) : Number.NaN
      return Number.isInteger(n) && n >= spec.min && n <= spec.max ? { value: n } : `expected an integer in [${spec.min}, ${spec.max}]`
    }
    case "boolean": {
      const lower = raw.toLowerCase()
      if (["1", "true", "yes", "on"].includes(lower)) return { value: true }
      if (["0", "false", "no", "off"].includes(lower)) return { value: false }
      return "expected true or false"
    }
    case "string":
      return spec.pattern && !spec.pattern.test(raw) ? `expected ${spec.patternHint ?? spec.pattern.source}` : { value: raw }
    case "ipList": {
      const items = raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
      const bad = items.filter((s) => isIP(s) === 0)
      return bad.length > 0 ? `not an IP address: ${bad.join(", ")}` : { value: Object.freeze(items) }
    }
    default:
      return `unsupported key type ${spec.type}`
  }
}
