import { afterAll, describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CONFIG_DOC_PATH, ENV_EXAMPLE_PATH, renderConfigDoc, renderEnvExample } from "../lib/config/render-docs.ts"
import { runConfigTool } from "./config.ts"
import type { ToolIo } from "./tool.ts"

const root = mkdtempSync(join(tmpdir(), "raidhub-config-tool-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function captureIo(env: Record<string, string> = {}): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env }
}

describe("bun run tool config", () => {
  test("--check names each drifted file and the command; --write fixes both; then --check passes", async () => {
    let io = captureIo()
    expect(await runConfigTool(["--check"], io, root)).toBe(1)
    expect(io.stderr).toEqual([
      "config: .env.example differs from the config tables; run `bun run tool config --write`",
      "config: docs/configuration.md differs from the config tables; run `bun run tool config --write`",
    ])
    io = captureIo()
    expect(await runConfigTool(["--write"], io, root)).toBe(0)
    expect(readFileSync(join(root, ENV_EXAMPLE_PATH), "utf8")).toBe(renderEnvExample())
    expect(readFileSync(join(root, CONFIG_DOC_PATH), "utf8")).toBe(renderConfigDoc())
    expect(await runConfigTool(["--check"], captureIo(), root)).toBe(0)
    writeFileSync(join(root, CONFIG_DOC_PATH), "hand edited\n")
    expect(await runConfigTool(["--check"], captureIo(), root)).toBe(1)
  })

  test("without flags: the effective configuration, secrets redacted", async () => {
    const io = captureIo({ BUNGIE_API_KEY: "0123456789abcdef", DATABASE_URL: "postgres://u:pw@db/x", ATLAS_FETCHERS: "3" })
    expect(await runConfigTool([], io, root)).toBe(0)
    const shown = JSON.parse(io.stdout.join("\n"))
    expect(shown).toMatchObject({ BUNGIE_API_KEY: "[REDACTED]", DATABASE_URL: "postgres://u:***@db/x", ATLAS_FETCHERS: 3, ZEUS_PORT: 7777 })
  })
})
