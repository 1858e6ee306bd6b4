/**
 * Real processed instances for benchmarks: every raid among the shared PGCR fixtures, decoded
 * and processed exactly as a fetcher does (bigint-safe decoder, id stringification, processPgcr),
 * wrapped as the RaidItem a fetcher posts to the pg-writer.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { RaidItem } from "../../src/apps/atlas/shared/messages.ts"
import { decodeJsonBytes } from "../../src/lib/bungie/json.ts"
import { stringifyPgcrIds } from "../../src/lib/bungie/pgcr-body.ts"
import { encodeRawPgcr } from "../../src/lib/database/raw-pgcr-codec.ts"
import { loadDefinitions } from "../../src/lib/definitions.ts"
import { listPgcrFixtureNames } from "../../src/lib/fixtures.ts"
import { PGCR_FIXTURES_DIR } from "../../src/lib/fixtures-path.ts"
import { processPgcr } from "../../src/lib/pgcr/process.ts"

export function loadProcessedFixtureItems(): RaidItem[] {
  const defs = loadDefinitions()
  const items: RaidItem[] = []
  for (const name of listPgcrFixtureNames()) {
    const bytes = new Uint8Array(readFileSync(join(PGCR_FIXTURES_DIR, name)))
    const decoded = decodeJsonBytes(bytes)
    if (!decoded.ok) continue
    const body = decoded.value as { Response?: unknown }
    const pgcr = body.Response ?? body
    stringifyPgcrIds(pgcr)
    const processed = processPgcr(pgcr, defs)
    if (processed.kind !== "raid") continue
    items.push({
      kind: "raid",
      id: processed.instance.instanceId,
      instance: processed.instance,
      activityId: processed.activityId,
      versionId: processed.versionId,
      raw: encodeRawPgcr(bytes),
      completedAt: Date.parse(processed.instance.dateCompleted),
    })
  }
  return items
}
