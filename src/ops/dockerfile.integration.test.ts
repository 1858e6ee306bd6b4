/**
 * The image installs exactly what the lockfile says: the Dockerfile's own `npm ci --omit=dev`
 * line, run as a dry run on package.json and package-lock.json (npm refuses a lockfile out of sync
 * with package.json, e.g. one missing an optional platform package, without installing anything).
 */
import { expect, test } from "bun:test"
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { runCommand } from "./testing/binaries.ts"

const ROOT = resolve(import.meta.dir, "../..")
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8")

test("the Dockerfile's install step is exactly the lockfile: `npm ci --omit=dev` accepts package.json and package-lock.json (dry run)", async () => {
  const run = /^RUN\s+(npm ci\b.*)$/m.exec(dockerfile)
  expect(run).not.toBeNull()
  expect(run![1]).toContain("--omit=dev")
  const dir = mkdtempSync(join(tmpdir(), "raidhub-npm-ci-"))
  try {
    for (const f of ["package.json", "package-lock.json"]) cpSync(join(ROOT, f), join(dir, f))
    const args = run![1]!.split(/\s+/).slice(2)
    const result = await runCommand(["sh", "-c", `cd '${dir}' && npm ci ${args.join(" ")} --dry-run --ignore-scripts`])
    expect(result.output).not.toContain("in sync")
    expect(result.code).toBe(0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 60_000)
