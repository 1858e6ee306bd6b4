/**
 * `bun run scheduler` as a process: --help, --check, one-line errors with exit 2, and a real start
 * (metrics, /healthz, nothing triggerable over HTTP) stopped by SIGTERM with exit 0.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { createTestDatabase, findFreePort, type TestDatabase } from "../../lib/database/testing.ts"

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url))
const SLOW = 60_000
const dir = mkdtempSync(join(tmpdir(), "raidhub-scheduler-main-"))
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
}, SLOW)
afterAll(async () => {
  await db?.drop()
  rmSync(dir, { recursive: true, force: true })
}, SLOW)

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "warn", ...extra }
}

async function run(args: string[], extra: Record<string, string> = {}) {
  const child = Bun.spawn([process.execPath, MAIN, ...args], { env: env(extra), stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  return { code, stdout, stderr }
}

describe("bun run scheduler", () => {
  test(
    "--help; a bad flag or schedule: one line, exit 2; --check lists the jobs",
    async () => {
      let result = await run(["--help"])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("--schedule-file")
      result = await run(["--bogus"])
      expect(result).toMatchObject({ code: 2, stderr: "scheduler: unknown flag --bogus (see --help)\n" })
      const bad = join(dir, "bad.schedule")
      writeFileSync(bad, "0 * * * * ok 1m config\n0 25 * * * worse 1m config\n")
      result = await run(["--schedule-file", bad])
      expect(result.code).toBe(2)
      expect(result.stderr).toStartWith(`scheduler: ${bad}: line 2: bad cron expression "0 25 * * *"`)
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
      const good = join(dir, "good.schedule")
      writeFileSync(good, "0 12 * * 1 weekly 1m config\n")
      result = await run(["--check", "--schedule-file", good])
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^weekly\s+0 12 \* \* 1\s+60s\s+next \d{4}-\d\d-\d\dT12:00:00\.000Z\s+config\n$/)
      writeFileSync(good, "0 12 * * 1 weekly 1m no-such-tool\n")
      result = await run(["--check", "--schedule-file", good])
      expect(result.code).toBe(1)
      expect(result.stderr).toBe("scheduler: unknown tool in weekly: no-such-tool\n")
    },
    SLOW,
  )

  test(
    "runs: /metrics and /healthz answer GET only; SIGTERM stops it with exit 0",
    async () => {
      const schedule = join(dir, "run.schedule")
      writeFileSync(schedule, "0 12 * * 1 weekly 1m config\n")
      const port = await findFreePort()
      const child = Bun.spawn([process.execPath, MAIN, "--schedule-file", schedule, "--metrics-port", String(port)], {
        env: env({ DATABASE_URL: db.url, LOG_LEVEL: "info" }),
        stdout: "ignore",
        stderr: "pipe",
      })
      const stderr = new Response(child.stderr).text()
      try {
        let health: Response | null = null
        for (let i = 0; i < 200 && health === null; i++) {
          health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null)
          if (health === null) await Bun.sleep(50)
        }
        expect(health!.status).toBe(200)
        const body = (await health!.json()) as { ok: boolean; next: Record<string, string> }
        expect(body.ok).toBe(true)
        expect(body.next.weekly).toMatch(/T12:00:00\.000Z$/)
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
        expect(metrics).toContain('scheduler_job_next_run_timestamp_seconds{job="weekly"}')
        // No remote command execution: nothing but GET of the two read-only paths.
        expect((await fetch(`http://127.0.0.1:${port}/healthz`, { method: "POST" })).status).toBe(405)
        expect((await fetch(`http://127.0.0.1:${port}/run/weekly`)).status).toBe(404)
        child.kill("SIGTERM")
        expect(await child.exited).toBe(0)
        expect(await stderr).toContain('"event":"scheduler.stopped"')
      } finally {
        child.kill("SIGKILL")
      }
    },
    SLOW,
  )
})
