/**
 * Where the shared, read-only test fixtures live (real PGCRs, definitions, raid activities).
 * Tests and tools only: production never reads fixtures; runtime data is copied into the repo
 * (e.g. sql/seeds/definitions.json).
 */
import { resolve } from "node:path"

/** Root of this repository (src/lib/ is two levels below it). */
export const REPO_ROOT = resolve(import.meta.dir, "..", "..")

/** `FIXTURES_DIR` from the environment, else `<repo>/../shared/fixtures`. */
export const FIXTURES_DIR = process.env.FIXTURES_DIR ?? resolve(REPO_ROOT, "..", "shared", "fixtures")

/** Directory of the real PGCR fixtures (`<instanceId>.json`, `error-*.json`). */
export const PGCR_FIXTURES_DIR = resolve(FIXTURES_DIR, "pgcr")
