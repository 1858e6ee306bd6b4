import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { dropLibraryPages, droppableMappings, parseSmaps, startPageDrops } from "./library-pages.ts"

const SMAPS = `7f6ba1400000-7f6baa56e000 r--p 00000000 fe:00 5310259                    /x/libengine.so
Size:             150000 kB
Rss:               20480 kB
Anonymous:             0 kB
7f6baa56e000-7f6bc2348000 r-xp 0916d000 fe:00 5310259                    /x/libengine.so
Size:             390000 kB
Rss:              170000 kB
Anonymous:             0 kB
7f6bc2348000-7f6bc2fc4000 r--p 20f46000 fe:00 5310259                    /x/libengine.so
Rss:               12000 kB
Anonymous:         12000 kB
7f6bc2fc4000-7f6bc301b000 rw-p 21bc1000 fe:00 5310259                    /x/libengine.so
Rss:                 300 kB
Anonymous:           200 kB
7f6bc4000000-7f6bc4100000 r-xp 00000000 fe:00 99                         /x/not-libengine.so
Rss:                 100 kB
Anonymous:             0 kB
7f6bc5000000-7f6bc5100000 r-xp 00000000 00:00 0
Rss:                 100 kB
Anonymous:           100 kB
`

describe("droppableMappings", () => {
  test("only the library's code and its read-only segment at offset 0, never a mapping with private copies", () => {
    const picked = droppableMappings(parseSmaps(SMAPS), "libengine.so")
    expect(picked.map((m) => [m.perms, m.offset, m.rssKib])).toEqual([
      ["r--p", "00000000", 20480],
      ["r-xp", "0916d000", 170000],
    ])
    expect(picked[0]!.start).toBe(0x7f6ba1400000n)
    expect(picked[0]!.end).toBe(0x7f6baa56e000n)
  })

  test("code that was written to (a patched page) is left alone", () => {
    const patched = SMAPS.replace(
      "Rss:              170000 kB\nAnonymous:             0 kB",
      "Rss:              170000 kB\nAnonymous:             4 kB",
    )
    expect(droppableMappings(parseSmaps(patched), "libengine.so").map((m) => m.perms)).toEqual(["r--p"])
  })
})

describe("dropLibraryPages", () => {
  test("drops this process's libc pages, and libc keeps working (its pages fault back in)", () => {
    if (process.platform !== "linux") return
    const before = droppableMappings(parseSmaps(readFileSync("/proc/self/smaps", "utf8")), "libc.so.6")
    const dropped = dropLibraryPages("libc.so.6")
    expect(dropped).not.toBeNull()
    expect(dropped!.mappings).toBe(before.length)
    expect(dropped!.mappings).toBeGreaterThan(0)
    expect(dropped!.residentKib).toBeGreaterThan(0)
    // Calls into libc after the drop (file I/O, allocation) behave.
    expect(readFileSync("/proc/self/status", "utf8")).toContain("VmRSS")
    expect(JSON.stringify(Array.from({ length: 10_000 }, (_, i) => i)).length).toBeGreaterThan(10_000)
  })

  test("a library that is not mapped drops nothing", () => {
    if (process.platform !== "linux") return
    expect(dropLibraryPages("no-such-library.so")).toEqual({ advisedBytes: 0, mappings: 0, residentKib: 0 })
  })
})

describe("startPageDrops", () => {
  test("drops every file at once, again each interval, and never after it is stopped", async () => {
    const dropped: string[] = []
    const stop = startPageDrops(["a.so", "b.so"], 20, (file) => dropped.push(file))
    expect(dropped).toEqual(["a.so", "b.so"])
    await Bun.sleep(50)
    expect(dropped.length).toBeGreaterThanOrEqual(4)
    stop()
    const count = dropped.length
    await Bun.sleep(50)
    expect(dropped.length).toBe(count)
  })
})
