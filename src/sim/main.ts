// `bun run sim [--port P] [--seed S] [--scenario NAME] [--host H] [--start-id ID] [--rate N] [--epoch ISO]`
import { isScenarioName, SCENARIO_NAMES } from "./scenarios.ts"
import { type SimOptions, startSim } from "./server.ts"

function parseArgs(argv: string[]): SimOptions {
  const options: SimOptions = { port: 5370 }
  const world: NonNullable<SimOptions["world"]> = {}
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    const value = argv[i + 1]
    const need = (): string => {
      if (value === undefined) throw new Error(`sim: ${flag} needs a value`)
      i++
      return value
    }
    switch (flag) {
      case "--port": {
        const port = Number(need())
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`sim: --port must be 0..65535, got ${value}`)
        options.port = port
        break
      }
      case "--host":
        options.host = need()
        break
      case "--seed":
        options.seed = need()
        break
      case "--scenario": {
        const name = need()
        if (!isScenarioName(name)) throw new Error(`sim: --scenario must be one of ${SCENARIO_NAMES.join(", ")}, got ${name}`)
        options.scenario = name
        break
      }
      case "--start-id":
        world.startId = need()
        break
      case "--rate": {
        const rate = Number(need())
        if (!(rate > 0)) throw new Error(`sim: --rate must be > 0, got ${value}`)
        world.ratePerSecond = rate
        break
      }
      case "--fixtures":
        options.fixturesDir = need()
        break
      case "--epoch": {
        const ms = Date.parse(need())
        if (Number.isNaN(ms)) throw new Error(`sim: --epoch must be an ISO date, got ${value}`)
        world.epochMs = ms
        break
      }
      case "--help":
        console.log(
          "bun run sim [--port 5370] [--host 127.0.0.1] [--seed 1] [--scenario calm|realistic|hostile|backfill] [--start-id 17200000000] [--rate 50] [--epoch ISO-DATE] [--fixtures DIR]",
        )
        process.exit(0)
        break
      default:
        throw new Error(`sim: unknown flag ${flag} (try --help)`)
    }
  }
  options.world = world
  return options
}

try {
  const options = parseArgs(process.argv.slice(2))
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
