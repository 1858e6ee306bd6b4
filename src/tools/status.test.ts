import { describe, expect, test } from "bun:test"
import type { AtlasStatusReport } from "../apps/atlas/coordinator/status-report.ts"
import { renderStatusTable, tool } from "./status.ts"

const report: AtlasStatusReport = {
  crawler: "atlas",
  generatedAt: "2026-12-03T10:00:00.000Z",
  source: "atlas",
  lag: { p50Seconds: 430, windowSeconds: 300, points: 20, trendSecondsPerMinute: -60 },
  online: true,
  caughtUp: false,
  catchUpEtaSeconds: 370,
  share404: 0.0123,
  bungie: "available",
  lowWaterMark: "17199300000",
  frontierEstimate: "17199301000",
  behindIds: "1000",
  resolvedPerSecond: 51.26,
}

function captureIo() {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l: string) => stdout.push(l), err: (l: string) => stderr.push(l), env: {} }
}

describe("renderStatusTable", () => {
  test("aligned rows; behind with an ETA; ids exact", () => {
    const table = renderStatusTable(report, "http://atlas:8080")
    expect(table.split("\n")).toEqual([
      "crawler            atlas",
      "from               atlas (http://atlas:8080)",
      "state              behind, caught up in about 6.2 min",
      "lag p50            7.2 min (last 5 min, 20 points, trend -60 s/min)",
      "404 share          1.23 %",
      "bungie             available",
      "low-water mark     17199300000",
      "frontier estimate  17199301000",
      "behind             1000 ids",
      "resolved           51.3 ids/s",
      "generated at       2026-12-03T10:00:00.000Z",
    ])
  })

  test("caught up, not catching up, offline", () => {
    const state = (r: Partial<AtlasStatusReport>) => /^state\s+(.*)$/m.exec(renderStatusTable({ ...report, ...r }, "x"))![1]
    expect(state({ caughtUp: true, catchUpEtaSeconds: null })).toBe("caught up")
    expect(state({ catchUpEtaSeconds: null })).toBe("behind, not catching up")
    expect(state({ online: false })).toBe("offline (no PGCR resolved recently)")
    expect(renderStatusTable({ ...report, lag: { ...report.lag, p50Seconds: null }, share404: null }, "x")).toMatch(/^lag p50\s+-$/m)
  })
})

describe("bun run tool status", () => {
  test("--url and --prometheus together: usage error", async () => {
    const io = captureIo()
    expect(await tool.run(["--url", "http://a:8080", "--prometheus", "http://b:9090"], io)).toBe(2)
    expect(io.stderr).toEqual(["status: give --url or --prometheus, not both"])
  })
})
