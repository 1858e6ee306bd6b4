/**
 * `bun run tool cheat-check <instanceId> | --file <pgcr.json>`: runs the cheat check on one run
 * and prints the verdict as JSON (probabilities, reason bits by name, whether the flag store
 * would flag or blacklist it). Writes nothing: this is how an operator reads a reported false
 * positive (docs/cheat-detection.md, "Clearing a false positive").
 *
 * An instance id is loaded from Postgres exactly as the queue worker loads it. A file (the Bungie
 * envelope or the bare Response) is processed with the crawler's rules; its weapons have no
 * definitions unless --weapons-from-db looks them up, so the heavy-ammo and weapon-slot parts of
 * the player signals are quiet without it.
 */
import { decodeJsonBytes } from "../lib/bungie/json.ts"
import { checkInstance } from "../lib/cheat/check-instance.ts"
import { buildCheatInstance, type WeaponInfo } from "../lib/cheat/from-processed.ts"
import { DEFAULT_HEURISTICS } from "../lib/cheat/heuristics-table.ts"
import { CHEAT_CHECK_VERSION } from "../lib/cheat/reporting.ts"
import type { CheatInstance } from "../lib/cheat/types.ts"
import { verdictToJson } from "../lib/cheat/verdict-json.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { loadDefinitions } from "../lib/definitions.ts"
import { unwrapPgcrEnvelope } from "../lib/pgcr/envelope.ts"
import { processPgcr } from "../lib/pgcr/process.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "cheat-check"

const CHEAT_CHECK_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} <instanceId> | --file <pgcr.json> [--weapons-from-db]`,
  summary:
    "Runs the cheat check (the current version) on a stored instance, or on a PGCR file, and prints the verdict as JSON: instance " +
    "and player probabilities, the reason bits by name, and whether it would be flagged or blacklisted. Writes nothing.",
  sections: ["shared"],
  flags: {
    file: { type: "string", default: null, description: "Check this PGCR file (envelope or bare Response) instead of a stored instance." },
    weaponsFromDb: {
      type: "boolean",
      default: false,
      description: "With --file: read the weapons' definitions (slot, ammo, element) from Postgres.",
    },
  },
  positionals: { name: "instanceId", description: "A stored instance's id (decimal), when not reading --file.", max: 1 },
  notes: "Exit 1 when the instance is not stored or the file is not a raid PGCR; bad usage or an unreachable database exits 2.",
} as const satisfies CommandSpec

type CheatCheckCommandLine = CommandLine<typeof CHEAT_CHECK_COMMAND>

async function main(cli: CheatCheckCommandLine, io: ToolIo): Promise<number> {
  const { flags, positionals } = cli
  const instanceId = positionals[0]
  if (instanceId !== undefined && !/^[1-9][0-9]{0,18}$/.test(instanceId))
    throw new UsageError(`not an instance id: ${JSON.stringify(instanceId)}`)
  if (flags.file === "") throw new UsageError("--file needs a path")
  if ((instanceId === undefined) === (flags.file === null)) throw new UsageError("give either an instance id or --file <path>")
  if (flags.weaponsFromDb && flags.file === null)
    throw new UsageError("--weapons-from-db goes with --file (a stored instance always has them)")

  const input =
    flags.file !== null ? await fromFile(flags.file, flags.weaponsFromDb, cli, io) : await fromDatabase(BigInt(instanceId!), cli, io)
  if (input === null) return 1
  io.out(JSON.stringify(verdictToJson(checkInstance(input, DEFAULT_HEURISTICS, CHEAT_CHECK_VERSION)), null, 2))
  return 0
}

async function fromDatabase(id: bigint, cli: CheatCheckCommandLine, io: ToolIo): Promise<CheatInstance | null> {
  // Loaded only here: a --file check needs no database driver.
  const [{ openJobPostgres }, { loadCheatInstance }, { createLogger }] = await Promise.all([
    import("../lib/jobs/job-postgres.ts"),
    import("../lib/database/cheat-input-loader.ts"),
    import("../lib/monitoring/logger.ts"),
  ])
  const pg = await openJobPostgres(cli.config, NAME, createLogger({ level: cli.config.LOG_LEVEL }), 1)
  try {
    const instance = await loadCheatInstance(pg.sql, id)
    if (instance === null) io.err(`${NAME}: instance ${id} is not stored`)
    return instance
  } finally {
    await pg.close()
  }
}

async function fromFile(path: string, weaponsFromDb: boolean, cli: CheatCheckCommandLine, io: ToolIo): Promise<CheatInstance | null> {
  let bytes: Uint8Array
  try {
    bytes = await Bun.file(path).bytes()
  } catch (error) {
    io.err(`${NAME}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`)
    return null
  }
  const decoded = decodeJsonBytes(bytes)
  if (!decoded.ok) {
    io.err(`${NAME}: ${path}: not JSON: ${decoded.reason}`)
    return null
  }
  const unwrapped = unwrapPgcrEnvelope(decoded.value)
  if (unwrapped.kind === "error") {
    io.err(`${NAME}: ${path}: ${unwrapped.reason}`)
    return null
  }
  const defs = loadDefinitions()
  const result = processPgcr(unwrapped.body, defs)
  if (result.kind !== "raid") {
    io.err(`${NAME}: ${path}: not a raid PGCR (${result.kind === "badFormat" ? result.reason : "nonRaid"})`)
    return null
  }
  const weapons = weaponsFromDb ? await readWeapons(result.instance, cli) : new Map<number, WeaponInfo>()
  const activity = defs.activity(result.activityId)
  return buildCheatInstance(result.instance, {
    activityId: result.activityId,
    versionId: result.versionId,
    activityReleaseDate: activity?.releaseDate ?? result.instance.dateStarted,
    seasonId: null,
    lookupWeapon: (hash) => weapons.get(hash),
  })
}

async function readWeapons(instance: { players: { characters: { weapons: { weaponHash: number }[] }[] }[] }, cli: CheatCheckCommandLine) {
  const hashes = [...new Set(instance.players.flatMap((p) => p.characters.flatMap((c) => c.weapons.map((w) => w.weaponHash))))]
  const [{ openJobPostgres }, { createLogger }] = await Promise.all([
    import("../lib/jobs/job-postgres.ts"),
    import("../lib/monitoring/logger.ts"),
  ])
  const pg = await openJobPostgres(cli.config, NAME, createLogger({ level: cli.config.LOG_LEVEL }), 1)
  try {
    const rows = await pg.sql.unsafe(
      "select hash::text as hash, slot, ammo_type, element from definitions.weapon_definition where hash = any($1::bigint[])",
      [hashes.map(String)],
    )
    return new Map<number, WeaponInfo>(
      rows.map((r) => [Number(r.hash), { slot: r.slot ?? null, ammoType: r.ammo_type ?? null, element: r.element ?? null }]),
    )
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Run the cheat check on one instance (stored, or a PGCR file) and print the verdict as JSON; writes nothing.",
  usage: renderHelp(CHEAT_CHECK_COMMAND),
  run: (argv, io) => runCommand(CHEAT_CHECK_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}
