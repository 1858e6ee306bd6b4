/**
 * Gives back the resident pages of a shared library's code and read-only data that the process
 * no longer touches (Linux, glibc). libchdb (embedded ClickHouse) is a 566 MB library whose
 * loader and static initialisers touch ~190 MB of it at open; a relay then runs on a small part.
 * `madvise(MADV_DONTNEED)` on those mappings unmaps their pages from this process (they stay in
 * the kernel's page cache, shared and reclaimable); what the engine runs afterwards faults back
 * in from that cache on first use (bench/README.md, "libchdb's pages").
 *
 * Safe only for pages that are the file's own bytes: the code (`r-xp`) and the read-only segment
 * at file offset 0 (headers, .rodata; the loader never writes it). A mapping that holds any
 * private copy (`Anonymous:` above 0 kB in smaps: relocated data, a patched page) is left alone,
 * since dropping it would drop that copy.
 */
import { readFileSync } from "node:fs"

const MADV_DONTNEED = 4

export interface DroppedPages {
  /** Bytes of address range advised (resident or not). */
  advisedBytes: number
  mappings: number
  /** Resident KiB of those mappings just before. */
  residentKib: number
}

type Madvise = (address: bigint, length: bigint, advice: number) => number

let madvise: Madvise | null | undefined

function loadMadvise(): Madvise | null {
  if (madvise !== undefined) return madvise
  madvise = null
  if (process.platform !== "linux") return null
  try {
    const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi")
    const libc = dlopen("libc.so.6", { madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 } })
    madvise = (address, length, advice) => libc.symbols.madvise(address, length, advice) as number
  } catch {
    // Not glibc (musl, say): keep the pages; nothing else depends on this.
  }
  return madvise
}

/** A mapping of /proc/self/smaps this module may drop: the library's own bytes, no private copy. */
export interface SmapsMapping {
  start: bigint
  end: bigint
  perms: string
  offset: string
  path: string
  rssKib: number
  anonymousKib: number
}

/** Parses /proc/<pid>/smaps text into mappings (header line + the fields this module reads). */
export function parseSmaps(text: string): SmapsMapping[] {
  const mappings: SmapsMapping[] = []
  let current: SmapsMapping | null = null
  for (const line of text.split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ \d+\s*(.*)$/.exec(line)
    if (header) {
      current = {
        start: BigInt(`0x${header[1]}`),
        end: BigInt(`0x${header[2]}`),
        perms: header[3]!,
        offset: header[4]!,
        path: header[5]!,
        rssKib: 0,
        anonymousKib: 0,
      }
      mappings.push(current)
      continue
    }
    if (!current) continue
    const field = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line)
    if (field?.[1] === "Rss") current.rssKib = Number(field[2])
    else if (field?.[1] === "Anonymous") current.anonymousKib = Number(field[2])
  }
  return mappings
}

/** The mappings of `library` whose pages can be dropped and read again from the file. */
export function droppableMappings(mappings: readonly SmapsMapping[], library: string): SmapsMapping[] {
  return mappings.filter(
    (m) => m.path.endsWith(`/${library}`) && m.anonymousKib === 0 && (m.perms === "r-xp" || (m.perms === "r--p" && /^0+$/.test(m.offset))),
  )
}

/** Drops the resident file pages of `library` (a file name, e.g. "libchdb.so"); null where unsupported. */
export function dropLibraryPages(library: string): DroppedPages | null {
  const advise = loadMadvise()
  if (advise === null) return null
  let smaps: string
  try {
    smaps = readFileSync("/proc/self/smaps", "utf8")
  } catch {
    return null
  }
  const dropped: DroppedPages = { advisedBytes: 0, mappings: 0, residentKib: 0 }
  for (const m of droppableMappings(parseSmaps(smaps), library)) {
    if (advise(m.start, m.end - m.start, MADV_DONTNEED) !== 0) continue
    dropped.advisedBytes += Number(m.end - m.start)
    dropped.mappings++
    dropped.residentKib += m.rssKib
  }
  return dropped
}

/** How often `startPageDrops` drops again: what ran once (start-up, a migration) and not since. */
export const PAGE_DROP_INTERVAL_MS = 60_000

/**
 * Drops the pages of `files` (file names of mapped executables or libraries) now and every
 * `intervalMs` after (the timer keeps no process alive). Returns the function that stops it.
 */
export function startPageDrops(
  files: readonly string[],
  intervalMs = PAGE_DROP_INTERVAL_MS,
  drop: (file: string) => unknown = dropLibraryPages,
): () => void {
  const dropAll = () => {
    for (const file of files) drop(file)
  }
  dropAll()
  const timer = setInterval(dropAll, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
