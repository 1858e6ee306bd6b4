/**
 * Reading the shared PGCR fixtures (tests and tools only; see fixtures-path.ts).
 */
import { readdirSync, readFileSync } from "node:fs"
import { resolve } from "node:path"
import { PGCR_FIXTURES_DIR } from "./fixtures-path.ts"

/** File names of every fixture that is a PGCR (`<instanceId>.json`), not an error body. */
export function listPgcrFixtureNames(): string[] {
  return readdirSync(PGCR_FIXTURES_DIR)
    .filter((name) => /^\d+\.json$/.test(name))
    .sort()
}

export function readPgcrFixtureText(name: string): string {
  return readFileSync(resolve(PGCR_FIXTURES_DIR, name), "utf8")
}

/** The fixture parsed with plain JSON.parse (ids are strings in the files; fireteamId is ignored). */
export function readPgcrFixtureJson(name: string): unknown {
  return JSON.parse(readPgcrFixtureText(name))
}
