/**
 * Child-process entry for benchmarks: starts the simulator with the SimOptions given as JSON in
 * argv[2] (so a benchmark can set any knob, not only the CLI's), prints one JSON line with the
 * url and frontier, and serves until SIGTERM. Running the sim in its own process keeps its CPU
 * time out of the measured process and readable from /proc.
 */
import { type SimOptions, startSim } from "../../src/sim/server.ts"

const options = JSON.parse(process.argv[2] ?? "{}") as SimOptions
const sim = await startSim({ ...options, port: 0 })
const f = sim.truth.frontier()
console.log(JSON.stringify({ event: "sim.started", url: sim.url, startId: f.startId, pid: process.pid }))
const shutdown = async () => {
  await sim.stop()
  process.exit(0)
}
process.on("SIGINT", shutdown)
process.on("SIGTERM", shutdown)
