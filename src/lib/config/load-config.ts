/**
 * Builds an app's typed, frozen configuration from its sections. Sources, later wins: the
 * table's defaults, the environment (Bun also loads `.env`), command-line flag values (parsed
 * by src/lib/cli). An empty value means unset. Every problem is reported at once, naming the
 * key and the value (secrets redacted, URL passwords masked).
 *
 * Whatever the sections, the environment is checked for keys that cannot be right: retired
 * RAIDHUB_* keys (named with their replacement) and unknown keys under a section prefix (a typo
 * in ATLAS_FETCHERS must not pass silently, even in another app sharing the same .env).
 */

import { registerSecret } from "../monitoring/logger.ts"
import { checkAddressOwnership } from "./address-ownership.ts"
import { displayValue } from "./redact.ts"
import {
  type ConfigKey,
  type ConfigOf,
  flagNameOf,
  keysOf,
  RETIRED_KEYS,
  RETIRED_PREFIX,
  SECTION_NAMES,
  SECTIONS,
  type SectionName,
  sectionOf,
  specOf,
} from "./sections.ts"
import { parseValue } from "./value-spec.ts"

export type Env = Record<string, string | undefined>

export interface ConfigIssue {
  /** The key, with the flag in parentheses when the value came from one. */
  key: string
  /** The offending value as shown to people (secrets redacted, URL passwords masked). */
  value: string
  reason: string
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    // One line, so an entry point can print it as is.
    super(`invalid configuration: ${issues.map((i) => `${i.key}=${i.value}: ${i.reason}`).join("; ")}`)
    this.name = "ConfigError"
  }
}

const PREFIXED = SECTION_NAMES.map((name) => SECTIONS[name].prefix).filter((prefix) => prefix !== "")

/** Problems with the environment's key names (not values), for any app. */
function findKeyIssues(env: Env): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  for (const name of Object.keys(env)) {
    if (sectionOf(name) !== undefined) continue
    const value = displayValue(name, env[name] ?? "")
    const renamed = RETIRED_KEYS[name]
    if (renamed !== undefined) {
      issues.push({ key: name, value, reason: `renamed: use ${renamed} (flag --${flagNameOf(renamed)})` })
    } else if (name.startsWith(RETIRED_PREFIX)) {
      issues.push({
        key: name,
        value,
        reason: `RAIDHUB_* keys are retired; settings carry their section's prefix (${PREFIXED.join(", ")})`,
      })
    } else {
      const prefix = PREFIXED.find((p) => name.startsWith(p))
      if (prefix === undefined) continue
      const known = SECTION_NAMES.flatMap((s) => keysOf(s)).filter((k) => k.startsWith(prefix))
      issues.push({ key: name, value, reason: `unknown key (known ${prefix}* keys: ${known.join(", ")})` })
    }
  }
  return issues
}

/**
 * The configuration of sections N from `env` and flag values (raw strings by key). Throws
 * ConfigError listing every problem.
 */
export function loadConfig<N extends SectionName>(
  sections: readonly N[],
  env: Env = process.env,
  flagValues: Partial<Record<ConfigKey, string>> = {},
): ConfigOf<N> {
  // Registered first, so that no message printed from here on can show the key.
  registerSecret(flagValues.BUNGIE_API_KEY ?? env.BUNGIE_API_KEY)
  // Sent to every subscription callback: never logged either.
  registerSecret(flagValues.HERMES_SUBSCRIPTION_CALLBACK_KEY ?? env.HERMES_SUBSCRIPTION_CALLBACK_KEY)
  const issues = findKeyIssues(env)
  const out: Record<string, unknown> = {}
  for (const section of sections) {
    for (const key of keysOf(section)) {
      const spec = specOf(key)!
      const fromFlag = flagValues[key]
      const raw = (fromFlag ?? env[key])?.trim()
      if (raw === undefined || raw === "") {
        out[key] = spec.default
        continue
      }
      const parsed = parseValue(spec, raw)
      if (parsed.ok) out[key] = parsed.value
      else
        issues.push({
          key: fromFlag !== undefined ? `${key} (--${flagNameOf(key)})` : key,
          value: displayValue(key, raw),
          reason: parsed.reason,
        })
    }
  }
  if ((sections as readonly string[]).includes("atlas") || (sections as readonly string[]).includes("zeus")) {
    issues.push(
      ...checkAddressOwnership(
        readAddresses("ATLAS_SOURCE_ADDRESSES", env, flagValues),
        readAddresses("ZEUS_SOURCE_ADDRESSES", env, flagValues),
      ),
    )
  }
  if (issues.length > 0) throw new ConfigError(issues)
  return Object.freeze(out) as ConfigOf<N>
}

/** An address list as given (flag, else environment), or none when unset or malformed (reported elsewhere). */
function readAddresses(
  key: "ATLAS_SOURCE_ADDRESSES" | "ZEUS_SOURCE_ADDRESSES",
  env: Env,
  flagValues: Partial<Record<ConfigKey, string>>,
): string[] {
  const raw = (flagValues[key] ?? env[key])?.trim()
  if (!raw) return []
  const parsed = parseValue(specOf(key)!, raw)
  return parsed.ok ? [...(parsed.value as readonly string[])] : []
}
