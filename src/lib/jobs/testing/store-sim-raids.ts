/** Stores the simulator's published raids of an id range, the way the crawler would (job tests). */

import type { SimHandle } from "../../../sim/server.ts"
import { storeInstances } from "../../database/instance-store.ts"
import type { Sql } from "../../database/postgres.ts"
import { loadDefinitions } from "../../definitions.ts"
import { fetchAndProcess, mapBounded } from "../fetch-and-process.ts"
import { createJobBungie } from "../job-bungie.ts"
import { jobTestConfig } from "./job-config.ts"

/** Returns the stored instance ids. */
export async function storeSimRaids(sql: Sql, databaseUrl: string, sim: SimHandle, from: bigint, to: bigint): Promise<string[]> {
  const ids = sim.truth
    .range(from, to)
    .filter((e) => e.state === "published" && e.kind !== "other")
    .map((e) => e.id)
  const bungie = createJobBungie(jobTestConfig(databaseUrl, sim.url), { client: "test", concurrency: 8 })
  try {
    const defs = loadDefinitions()
    const outcomes = await mapBounded(ids, 8, (id) => fetchAndProcess(bungie, BigInt(id), defs))
    const items = outcomes.flatMap((o) => (o.kind === "raid" ? [o.item] : []))
    const report = await storeInstances(sql, items)
    return report.storedIds
  } finally {
    bungie.close()
  }
}
