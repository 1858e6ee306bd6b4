/**
 * The environment of a job's child process: the scheduler's own, with every shared setting the
 * scheduler resolved (from flags too) written back as its key, so a job reaches the same
 * database, broker and Bungie as the scheduler. Scheduler settings are not passed on.
 */
import type { ConfigOf } from "../../lib/config/sections.ts"
import { keysOf } from "../../lib/config/sections.ts"

export function childEnvOf(
  config: ConfigOf<"shared">,
  env: Readonly<Record<string, string | undefined>>,
  databaseUrl: string,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env }
  for (const key of keysOf("shared")) {
    const value = (config as Record<string, unknown>)[key]
    if (value === null || value === undefined) delete out[key]
    else out[key] = Array.isArray(value) ? value.join(",") : String(value)
  }
  // The embedded server this scheduler started (or joined) is the one its jobs must use.
  out.DATABASE_URL = databaseUrl
  return out
}
