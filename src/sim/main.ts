// `bun run sim [--port P] [--seed S] [--scenario NAME] [--host H] [--start-id ID] [--rate N] [--epoch ISO] [--fresh-world] [--fixtures DIR]`
//
// The simulator is a program of its own and imports nothing from src/lib (it plays Bungie and
// must not share our bugs), so it has its own small parser on node:util parseArgs (strict):
// a bad flag or value is one line naming it, exit 2.
import { parseArgs } from "node:util"
import { isScenarioName, SCENARIO_NAMES } from "./scenarios.ts"
import { type SimOptions, startSim } from "./server.ts"

const HELP =
  "bun run sim [--port 5370] [--host 127.0.0.1] [--seed 1] [--scenario calm|realistic|hostile|backfill] [--start-id 17200000000] [--rate 50] [--epoch ISO-DATE] [--fresh-world] [--fixtures DIR]"

class SimUsageError extends Error {}

const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  seed: { type: "string" },
  scenario: { type: "string" },
  "start-id": { type: "string" },
  rate: { type: "string" },
  fixtures: { type: "string" },
  epoch: { type: "string" },
  "fresh-world": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const

/** Parses argv; null = --help. Throws SimUsageError naming the flag. */
function parseSimArgs(argv: string[]): SimOptions | null {
  let values: ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true }>>["values"]
  try {
    ;({ values } = parseArgs({ args: argv, options: FLAGS, strict: true }))
  } catch (error) {
    throw new SimUsageError(`${error instanceof Error ? error.message.split("\n")[0] : String(error)} (try --help)`)
  }
  if (values.help) return null
  const options: SimOptions = { port: 5370 }
  const world: NonNullable<SimOptions["world"]> = {}
  if (values.port !== undefined) {
    const port = Number(values.port)
    if (!/^\d+$/.test(values.port) || port > 65535) throw new SimUsageError(`--port must be 0..65535, got ${JSON.stringify(values.port)}`)
    options.port = port
  }
  if (values.host !== undefined) options.host = values.host
  if (values.seed !== undefined) options.seed = values.seed
  if (values.scenario !== undefined) {
    if (!isScenarioName(values.scenario))
      throw new SimUsageError(`--scenario must be one of ${SCENARIO_NAMES.join(", ")}, got ${JSON.stringify(values.scenario)}`)
    options.scenario = values.scenario
  }
  if (values["start-id"] !== undefined) {
    if (!/^[1-9]\d{0,18}$/.test(values["start-id"]))
      throw new SimUsageError(`--start-id must be a decimal id, got ${JSON.stringify(values["start-id"])}`)
    world.startId = values["start-id"]
  }
  if (values.rate !== undefined) {
    const rate = Number(values.rate)
    if (!(rate > 0)) throw new SimUsageError(`--rate must be > 0, got ${JSON.stringify(values.rate)}`)
    world.ratePerSecond = rate
  }
  if (values.fixtures !== undefined) options.fixturesDir = values.fixtures
  if (values.epoch !== undefined) {
    const ms = Date.parse(values.epoch)
    if (Number.isNaN(ms)) throw new SimUsageError(`--epoch must be an ISO date, got ${JSON.stringify(values.epoch)}`)
    world.epochMs = ms
  }
  // Anchor the world at this start: the counter restarts at the start id on every run.
  if (values["fresh-world"]) world.continuous = false
  options.world = world
  return options
}

let parsed: SimOptions | null
try {
  parsed = parseSimArgs(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`sim: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(2)
}
if (parsed === null) {
  console.log(HELP)
  process.exit(0)
}
const options: SimOptions = parsed

try {
  const sim = await startSim(options)
  const f = sim.truth.frontier()
  console.log(
    JSON.stringify({
      event: "sim.started",
      url: sim.url,
      host: sim.host,
      scenario: options.scenario ?? "realistic",
      seed: sim.config.seed,
      startId: f.startId,
      ratePerSecond: f.ratePerSecond,
      continuous: f.continuous,
      epochId: f.epochId,
      epoch: new Date(f.epochMs).toISOString(),
    }),
  )
  const shutdown = async () => {
    await sim.stop()
    process.exit(0)
  }
  process.on("SIGINT", shutdown)
  process.on("SIGTERM", shutdown)
} catch (error) {
  console.error(JSON.stringify({ event: "sim.failed", error: error instanceof Error ? error.message : String(error) }))
  process.exit(1)
}
