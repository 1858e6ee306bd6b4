/**
 * The real entry points, spawned: expected failures end with exactly one line naming what to
 * change and exit code 2 (atlas, the tool dispatcher, the bench); and SIGTERM sent to
 * `npm run atlas` reaches atlas, which stops gracefully (exit 0, its stop log line).
 */
import { afterAll, describe, expect, test } from "bun:test"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { TOOLS } from "../../tools/registry.ts"
import { createTestDatabase, findFreePort, type TestDatabase } from "../database/testing.ts"

const REPO = fileURLToPath(new URL("../../../", import.meta.url))
const ATLAS = join(REPO, "src/apps/atlas/main.ts")
const TOOL = join(REPO, "src/tools/main.ts")
const BENCH = join(REPO, "bench/main.ts")
// Spawning Bun (and for some cases reaching Postgres) can be slow on a busy machine.
const SLOW_MS = 60_000

const dataDirs: string[] = []
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
})

function privateDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "raidhub-entry-"))
  dataDirs.push(dir)
  return dir
}

/** A clean environment: no settings leak in from the test runner's own env. */
function baseEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "warn", ...extra }
}

async function run(cmd: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn(cmd, { cwd: REPO, env, stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  return { code, stdout, stderr }
}

/** stderr without the JSON log lines: what a person reads as the program's message. */
function messageLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.length > 0 && !line.startsWith("{"))
}

describe("atlas: one line, exit 2", () => {
  test(
    "a flag it does not know",
    async () => {
      const result = await run([process.execPath, ATLAS, "--sim", "--bogus"], baseEnv({}))
      expect(result.code).toBe(2)
      expect(result.stderr).toBe("atlas: unknown flag --bogus (see --help)\n")
    },
    SLOW_MS,
  )

  test(
    "a bad environment value, and a retired key",
    async () => {
      let result = await run([process.execPath, ATLAS, "--sim"], baseEnv({ ATLAS_FETCHERS: "many" }))
      expect(result.code).toBe(2)
      expect(result.stderr).toBe('atlas: invalid configuration: ATLAS_FETCHERS="many": expected an integer in [1, 64]\n')
      result = await run([process.execPath, ATLAS, "--sim"], baseEnv({ RAIDHUB_FETCHERS: "4" }))
      expect(result.code).toBe(2)
      expect(result.stderr).toBe('atlas: invalid configuration: RAIDHUB_FETCHERS="4": renamed: use ATLAS_FETCHERS (flag --fetchers)\n')
    },
    SLOW_MS,
  )

  test(
    "an unreachable database, after SERVICE_WAIT_SECONDS",
    async () => {
      const port = await findFreePort()
      const result = await run(
        [process.execPath, ATLAS, "--sim", "--metrics-port", "off"],
        baseEnv({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/raidhub`, SERVICE_WAIT_SECONDS: "1", DATA_DIR: privateDataDir() }),
      )
      expect(result.code).toBe(2)
      expect(messageLines(result.stderr)).toHaveLength(1)
      expect(messageLines(result.stderr)[0]).toMatch(
        new RegExp(
          `^atlas: postgres at 127\\.0\\.0\\.1:${port} unreachable \\(connection refused\\) after [\\d.]+ s \\(\\d+ attempts\\): check DATABASE_URL or --database-url$`,
        ),
      )
      // One warn line per failed attempt while waiting.
      expect(result.stderr).toContain(`"event":"service unreachable: postgres at 127.0.0.1:${port}, retrying in`)
    },
    SLOW_MS,
  )

  test(
    "a metrics port someone else holds",
    async () => {
      const db = await createTestDatabase()
      const holder = Bun.serve({ port: 0, hostname: "0.0.0.0", fetch: () => new Response("taken") })
      try {
        const port = holder.port!
        const result = await run(
          [process.execPath, ATLAS, "--sim", "--metrics-port", String(port)],
          baseEnv({ DATABASE_URL: db.url, DATA_DIR: privateDataDir() }),
        )
        expect(result.code).toBe(2)
        expect(messageLines(result.stderr)).toEqual([
          `atlas: port ${port} is in use: set ATLAS_METRICS_PORT or --metrics-port (0 = any free port)`,
        ])
      } finally {
        holder.stop(true)
        await db.drop()
      }
    },
    SLOW_MS,
  )
})

describe("tool and bench: one line, exit 2", () => {
  test(
    "tool: an unknown tool, a flag a tool does not know, an unreachable database",
    async () => {
      let result = await run([process.execPath, TOOL, "no-such-tool"], baseEnv({}))
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(`tool: unknown tool "no-such-tool" (known: ${TOOLS.map((t) => t.name).join(", ")})\n`)
      result = await run([process.execPath, TOOL, "process-single-pgcr", "123", "--bogus"], baseEnv({}))
      expect(result.code).toBe(2)
      expect(result.stderr).toBe("process-single-pgcr: unknown flag --bogus (see --help)\n")
      const port = await findFreePort()
      result = await run(
        [process.execPath, TOOL, "migrate", "--postgres-only"],
        baseEnv({ DATABASE_URL: `postgres://u:secret@127.0.0.1:${port}/x` }),
      )
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(
        `migrate: postgres at 127.0.0.1:${port} unreachable (connection refused): check DATABASE_URL or --database-url\n`,
      )
    },
    SLOW_MS,
  )

  test(
    "bench: a bad value, an unknown scenario",
    async () => {
      let result = await run([process.execPath, BENCH, "--runs", "0"], baseEnv({}))
      expect(result.code).toBe(2)
      expect(result.stderr).toBe('bench: --runs "0": out of range: expected an integer in [1, 100] (see --help)\n')
      result = await run([process.execPath, BENCH, "nope"], baseEnv({}))
      expect(result.code).toBe(2)
      expect(result.stderr).toStartWith('bench: unknown scenario "nope" (known: ')
      expect(messageLines(result.stderr)).toHaveLength(1)
    },
    SLOW_MS,
  )
})

describe("signals through npm", () => {
  let db: TestDatabase | undefined
  afterAll(async () => {
    await db?.drop()
  })

  test("SIGTERM to `npm run atlas` stops atlas gracefully: exit 0 and its stop log line", async () => {
    const npm = Bun.which("npm")
    expect(npm).not.toBeNull()
    db = await createTestDatabase()
    const port = await findFreePort()
    // Its own process group, so that whatever happens the test can end every process it started
    // (without `exec` in the script, atlas would outlive npm's shell as an orphan).
    const child = spawn(
      npm!,
      ["run", "--silent", "atlas", "--", "--sim", "--sim-scenario", "calm", "--fetchers", "1", "--metrics-port", String(port)],
      {
        cwd: REPO,
        env: baseEnv({ DATABASE_URL: db.url, DATA_DIR: privateDataDir(), LOG_LEVEL: "info" }),
        stdio: ["ignore", "ignore", "pipe"],
        detached: true,
      },
    )
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
    const waitFor = async (condition: () => boolean, timeoutMs: number, what: string) => {
      const deadline = Date.now() + timeoutMs
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; stderr:\n${stderr}`)
        await Bun.sleep(50)
      }
    }
    let code: number | null | undefined
    void exited.then((c) => {
      code = c
    })
    try {
      // Running: crawling the simulator with its metrics endpoint up.
      await waitFor(() => stderr.includes('"event":"atlas.metrics"') || code !== undefined, 90_000, "no atlas.metrics line")
      child.kill("SIGTERM")
      await waitFor(() => code !== undefined, 60_000, "npm run atlas did not exit")
      // npm can exit before the last of atlas's stderr has been read.
      await waitFor(() => stderr.includes('"event":"atlas.stopped"'), 2_000, "no atlas.stopped line").catch(() => {})
    } finally {
      try {
        process.kill(-child.pid!, "SIGKILL")
      } catch {
        // The group is gone: every process ended on its own.
      }
    }
    expect(stderr).toContain('"event":"atlas.shutdown.requested"')
    expect(stderr).toContain('"event":"atlas.stopped"')
    expect(code).toBe(0)
  }, 180_000)
})
