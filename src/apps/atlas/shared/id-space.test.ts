import { describe, expect, test } from "bun:test"
import { IdSpace } from "./id-space.ts"

describe("IdSpace", () => {
  test("claims never pass the ceiling and never overlap", () => {
    const space = IdSpace.create(100n)
    expect(space.claim(10n)).toBeNull()
    space.setCeiling(125n)
    expect(space.claim(10n)).toEqual({ from: 100n, to: 110n })
    expect(space.claim(10n)).toEqual({ from: 110n, to: 120n })
    expect(space.claim(10n)).toEqual({ from: 120n, to: 125n })
    expect(space.claim(10n)).toBeNull()
    space.setCeiling(130n)
    expect(space.claim(10n)).toEqual({ from: 125n, to: 130n })
  })

  test("stop flag, cursor jumps forward only, lock-free max", () => {
    const space = IdSpace.create(1n)
    space.setCeiling(1_000n)
    expect(space.advanceCursor(500n)).toBe(1n)
    expect(space.advanceCursor(400n)).toBe(500n)
    expect(space.claim(5n)).toEqual({ from: 500n, to: 505n })
    space.noteExisting(10n)
    space.noteExisting(7n)
    expect(space.newestExisting).toBe(10n)
    expect(space.crawlNewest).toBe(0n)
    space.noteSeen(8n)
    expect(space.crawlNewest).toBe(8n)
    expect(space.newestExisting).toBe(10n)
    space.addWriterQueue(3)
    space.addWriterQueue(-1)
    expect(space.writerQueue).toBe(2)
    space.stop()
    expect(space.claim(5n)).toBeNull()
  })

  test("workers share one buffer: every id claimed exactly once", async () => {
    const space = IdSpace.create(0n)
    space.setCeiling(20_000n)
    const source = `
      import { IdSpace } from ${JSON.stringify(new URL("./id-space.ts", import.meta.url).href)}
      self.onmessage = (event) => {
        const space = new IdSpace(event.data)
        const blocks = []
        for (;;) { const b = space.claim(7n); if (!b) break; blocks.push([b.from, b.to]) }
        postMessage(blocks)
      }`
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }))
    const workers = [new Worker(url), new Worker(url), new Worker(url)]
    const results = await Promise.all(
      workers.map(
        (worker) =>
          new Promise<[bigint, bigint][]>((resolve) => {
            worker.onmessage = (event) => resolve(event.data)
            worker.postMessage(space.buffer)
          }),
      ),
    )
    for (const worker of workers) worker.terminate()
    const seen = new Uint8Array(20_000)
    for (const blocks of results) for (const [from, to] of blocks) for (let id = Number(from); id < Number(to); id++) seen[id]!++
    expect(seen.every((count) => count === 1)).toBe(true)
  })
})
