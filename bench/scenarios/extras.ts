/**
 * The older standalone benchmarks, registered as extra scenarios without rewriting them: each
 * runs as a child process with its own table and result file (bench/results/<name>.json).
 * Not part of the default run.
 */
import { join } from "node:path"
import type { Scenario } from "../lib/scenario.ts"

function defineStandalone(name: string, file: string, summary: string, quickArgs: string[]): Scenario {
  return {
    name,
    summary: `${summary} (standalone bench/${file})`,
    core: false,
    async run(ctx) {
      const argv = [process.execPath, join(import.meta.dir, "..", file), ...(ctx.quick ? quickArgs : [])]
      ctx.progress(`running ${argv.slice(1).join(" ")}`)
      const child = Bun.spawn(argv, { stdout: "pipe", stderr: "inherit" })
      const output = await new Response(child.stdout).text()
      const code = await child.exited
      if (code !== 0) throw new Error(`bench/${file} exited with ${code}`)
      return { title: `${name} (bench/${file})`, tables: [], result: { output }, notes: [output.trimEnd()] }
    },
  }
}

export const extraScenarios: Scenario[] = [
  defineStandalone("json-decode", "json-decode.ts", "bigint-safe JSON decoder vs JSON.parse on the fixtures", []),
  defineStandalone("bungie-transport", "bungie-transport.ts", "Bun fetch vs node:http transport engines", ["--seconds", "1"]),
  defineStandalone("sim-throughput", "sim-throughput.ts", "the simulator's own req/s per core", ["--seconds", "2"]),
]
