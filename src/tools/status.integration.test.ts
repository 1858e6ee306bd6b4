/** `bun run tool status` against addresses where nothing listens: one line naming the flag, exit 2. */
import { expect, test } from "bun:test"
import { tool } from "./status.ts"

function captureIo() {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l: string) => stdout.push(l), err: (l: string) => stderr.push(l), env: {} }
}

test("unreachable atlas or Prometheus: one line naming the flag, exit 2", async () => {
  let io = captureIo()
  expect(await tool.run(["--url", "http://127.0.0.1:1"], io)).toBe(2)
  expect(io.stderr).toHaveLength(1)
  expect(io.stderr[0]).toStartWith("status: cannot read atlas at http://127.0.0.1:1/status")
  expect(io.stderr[0]).toContain("--url")
  io = captureIo()
  expect(await tool.run(["--prometheus", "http://127.0.0.1:1"], io)).toBe(2)
  expect(io.stderr[0]).toContain("--prometheus")
})
