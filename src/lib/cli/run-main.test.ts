import { describe, expect, test } from "bun:test"
import { ATLAS_COMMAND } from "../config/apps.ts"
import type { CommandSpec } from "../config/command-spec.ts"
import { checkPortFree } from "../runtime/check-port-free.ts"
import { ServiceUnavailableError } from "../runtime/wait-for-service.ts"
import { describeFailure } from "./describe-failure.ts"
import { type CommandIo, runCommand } from "./run-main.ts"
import { UsageError } from "./usage-error.ts"

function captureIo(argv: string[], env: Record<string, string> = {}): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { argv, env, stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) }
}

const TOOL = {
  name: "demo",
  usage: "demo [flags]",
  summary: "A demo.",
  sections: ["shared"],
  flags: { port: { type: "port", default: 9000, description: "Where to listen." } },
} as const satisfies CommandSpec

describe("runCommand", () => {
  test("--help prints the generated help on stdout, exit 0, main not run", async () => {
    const io = captureIo(["--help"])
    let ran = false
    expect(
      await runCommand(
        TOOL,
        async () => {
          ran = true
          return 0
        },
        io,
      ),
    ).toBe(0)
    expect(ran).toBe(false)
    expect(io.stdout[0]).toStartWith("Usage: demo [flags]")
    expect(io.stderr).toEqual([])
  })

  test("main's exit code and parsed command line", async () => {
    const io = captureIo(["--port", "1234"], { LOG_LEVEL: "warn" })
    expect(await runCommand(TOOL, async (cli) => cli.flags.port! + (cli.config.LOG_LEVEL === "warn" ? 1 : 0), io)).toBe(1235)
  })

  test("a bad flag or setting: one line naming it, exit 2", async () => {
    let io = captureIo(["--bogus"])
    expect(await runCommand(TOOL, async () => 0, io)).toBe(2)
    expect(io.stderr).toEqual(["demo: unknown flag --bogus (see --help)"])
    io = captureIo([], { DATABASE_URL: "x", RAIDHUB_BATCH_SIZE: "1" })
    expect(await runCommand(TOOL, async () => 0, io)).toBe(2)
    expect(io.stderr).toEqual([
      'demo: invalid configuration: RAIDHUB_BATCH_SIZE="1": renamed: use ATLAS_BATCH_SIZE (flag --batch-size); DATABASE_URL="x": malformed URL (expected postgres://… or postgresql://…)',
    ])
  })

  test("a busy port names the setting holding it", async () => {
    const holder = Bun.serve({ port: 0, hostname: "0.0.0.0", fetch: () => new Response("taken") })
    try {
      const port = holder.port!
      const io = captureIo(["--metrics-port", String(port), "--sim"])
      expect(await runCommand(ATLAS_COMMAND, (cli) => checkPortFree(cli.config.ATLAS_METRICS_PORT!).then(() => 0), io)).toBe(2)
      expect(io.stderr).toEqual([`atlas: port ${port} is in use: set ATLAS_METRICS_PORT or --metrics-port (0 = any free port)`])
      // Bun.serve's own error on the same port is mapped the same way.
      const runIo = captureIo(["--port", String(port)])
      const code = await runCommand(
        TOOL,
        async (cli) => {
          Bun.serve({ port: cli.flags.port!, hostname: "0.0.0.0", fetch: () => new Response("") })
          return 0
        },
        runIo,
      )
      expect(code).toBe(2)
      expect(runIo.stderr).toEqual([`demo: port ${port} is in use: set --port (0 = any free port)`])
    } finally {
      holder.stop(true)
    }
  })

  test("an unexpected error: its message, exit 1; its stack only with -v", async () => {
    const boom = async (): Promise<number> => {
      throw new TypeError("x is not a function\n  (details)")
    }
    let io = captureIo([])
    expect(await runCommand(TOOL, boom, io)).toBe(1)
    expect(io.stderr).toEqual(["demo: x is not a function (details)"])
    io = captureIo(["-v"])
    expect(await runCommand(TOOL, boom, io)).toBe(1)
    expect(io.stderr[0]).toStartWith("demo: x is not a function (details)\nTypeError: x is not a function")
    expect(io.stderr[0]).toContain("run-main.test.ts")
  })
})

describe("describeFailure", () => {
  test("expected failures are one line and exit 2", () => {
    const unavailable = new ServiceUnavailableError(
      "postgres",
      "db:5432",
      "DATABASE_URL",
      "connection refused",
      "postgres at db:5432 unreachable",
    )
    expect(describeFailure(unavailable, { name: "atlas", verbose: true })).toEqual({
      exitCode: 2,
      text: "atlas: postgres at db:5432 unreachable",
    })
    expect(describeFailure(new UsageError("bad\nthing"), { name: "x", verbose: false })).toEqual({ exitCode: 2, text: "x: bad thing" })
    const busy = Object.assign(new Error("Failed to start server. Is port 8080 in use?"), { code: "EADDRINUSE" })
    expect(describeFailure(busy, { name: "atlas", command: ATLAS_COMMAND, values: { ATLAS_METRICS_PORT: 8080 }, verbose: false })).toEqual({
      exitCode: 2,
      text: "atlas: port 8080 is in use: set ATLAS_METRICS_PORT or --metrics-port (0 = any free port)",
    })
    expect(describeFailure(busy, { name: "tool", verbose: false })).toEqual({ exitCode: 2, text: "tool: port 8080 is in use" })
  })
})
