/**
 * `bun run tool log-raw-pgcr <instanceId>`: prints the stored raw PGCR (raw.pgcr.data) decoded
 * (zstd, gzip or plain, whichever the row holds) as JSON on stdout, as stored or --pretty.
 */
import { decodeJsonBytes } from "../lib/bungie/json.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { decodeRawPgcr } from "../lib/database/raw-pgcr-codec.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "log-raw-pgcr"

const LOG_RAW_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} <instanceId> [--pretty]`,
  summary: "Prints the raw PGCR stored for an instance (raw.pgcr), decoded, as JSON on stdout. Exit 1 when none is stored.",
  sections: ["shared"],
  flags: { pretty: { type: "boolean", default: false, description: "Indent the JSON (ids stay exactly as stored)." } },
  positionals: { name: "instanceId", description: "The instance id (decimal).", max: 1 },
} as const satisfies CommandSpec

export function readInstanceId(positionals: readonly string[]): string {
  const id = positionals[0]
  if (id === undefined) throw new UsageError("give an instance id")
  if (!/^[1-9][0-9]{0,18}$/.test(id)) throw new UsageError(`not an instance id: ${JSON.stringify(id)}`)
  return id
}

async function main({ config, flags, positionals }: CommandLine<typeof LOG_RAW_COMMAND>, io: ToolIo): Promise<number> {
  const id = readInstanceId(positionals)
  const pg = await openJobPostgres(config, NAME, createLogger({ level: config.LOG_LEVEL }), 1)
  try {
    const [row] = await pg.sql<{ data: Uint8Array }[]>`select data from raw.pgcr where instance_id = ${id}::bigint`
    if (!row) {
      io.err(`${NAME}: no raw PGCR stored for instance ${id}`)
      return 1
    }
    const bytes = decodeRawPgcr(row.data)
    const text = new TextDecoder().decode(bytes)
    if (!flags.pretty) {
      io.out(text)
      return 0
    }
    const decoded = decodeJsonBytes(bytes)
    if (!decoded.ok) {
      io.err(`${NAME}: the stored PGCR of ${id} is not JSON: ${decoded.reason}`)
      return 1
    }
    // The decoder keeps number literals >= 2^53 exact by turning them into strings (quoted here).
    io.out(JSON.stringify(decoded.value, null, 2))
    return 0
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Print the stored raw PGCR of an instance, decoded.",
  usage: renderHelp(LOG_RAW_COMMAND),
  run: (argv, io) => runCommand(LOG_RAW_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}
