/**
 * `bun chdb-count.ts <chdb dir> <database>`: prints {"rows":N,"distinct":M} of the instance table
 * (FINAL). A separate process because libchdb opens one data directory per process, and a test
 * process may already hold another.
 */
import { createEmbeddedClickhouseClient } from "../../../lib/database/clickhouse.ts"

const [path, database] = process.argv.slice(2)
if (!path || !database) {
  process.stderr.write("usage: bun chdb-count.ts <chdb dir> <database>\n")
  process.exit(2)
}
const client = createEmbeddedClickhouseClient(path, database)
const result = await client.query({
  query: "SELECT count() AS rows, uniqExact(instance_id) AS distinct FROM instance FINAL",
  format: "JSONEachRow",
})
const [row] = (await result.json()) as { rows: string; distinct: string }[]
process.stdout.write(`${JSON.stringify({ rows: Number(row?.rows ?? 0), distinct: Number(row?.distinct ?? 0) })}\n`)
process.exit(0)
