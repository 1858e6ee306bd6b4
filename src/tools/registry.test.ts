import { describe, expect, test } from "bun:test"
import { renderToolList, runToolMain } from "./main.ts"
import { TOOLS } from "./registry.ts"
import type { ToolIo } from "./tool.ts"

function captureIo(): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {} }
}

describe("tool registry", () => {
  test("every module agrees with its registry entry", async () => {
    for (const entry of TOOLS) {
      const tool = await entry.load()
      expect(tool.name).toBe(entry.name)
      expect(tool.description).toBe(entry.description)
      expect(tool.usage.length).toBeGreaterThan(20)
      expect(entry.description).not.toContain("\n")
    }
  })

  test("--help lists every tool with its description", async () => {
    const io = captureIo()
    expect(await runToolMain(["--help"], io)).toBe(0)
    const text = io.stdout.join("\n")
    for (const entry of TOOLS) expect(text).toContain(`${entry.name}`)
    expect(text).toContain("process-single-pgcr")
    expect(text).toBe(renderToolList())
  })

  test("a tool's --help shows its usage; unknown tools and no arguments are usage errors", async () => {
    let io = captureIo()
    expect(await runToolMain(["process-single-pgcr", "--help"], io)).toBe(0)
    expect(io.stdout.join("\n")).toContain("--dry-run")
    io = captureIo()
    expect(await runToolMain(["no-such-tool"], io)).toBe(2)
    expect(io.stderr[0]).toContain("unknown tool")
    io = captureIo()
    expect(await runToolMain([], io)).toBe(2)
  })

  test("every tool: --help prints its usage and exits 0; an unknown flag is one line naming it, exit 2", async () => {
    for (const entry of TOOLS) {
      let io = captureIo()
      expect(await runToolMain([entry.name, "--help"], io)).toBe(0)
      expect(io.stdout.join("\n")).toContain(entry.name)
      io = captureIo()
      expect(await runToolMain([entry.name, "--no-such-flag"], io)).toBe(2)
      expect(io.stderr).toHaveLength(1)
      expect(io.stderr[0]).toContain("--no-such-flag")
    }
  })
})
