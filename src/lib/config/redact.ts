/** How configuration values appear to people: secrets as [REDACTED], URL passwords as ***. */
import { maskSecrets } from "../monitoring/logger.ts"
import { type Config, specOf } from "./sections.ts"

export const REDACTED = "[REDACTED]"

/** Masks the password of a URL-looking value so connection strings can appear in errors and logs. */
function maskUrlPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, "$1:***@")
}

/** A raw value as shown in an error message: quoted, secret redacted, password masked. */
export function displayValue(key: string, raw: string): string {
  if (specOf(key)?.type === "secret") return REDACTED
  return JSON.stringify(maskSecrets(maskUrlPassword(raw)))
}

/** A loaded config as safe-to-log fields (any subset of sections). */
export function describeConfig(config: Partial<Config>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(config)) {
    if (specOf(key)?.type === "secret") out[key] = value === null ? null : REDACTED
    else if (typeof value === "string") out[key] = maskUrlPassword(value)
    else out[key] = value
  }
  return out
}
