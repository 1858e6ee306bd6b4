/**
 * CPU accounting from /proc, so a benchmark can say how the two cores were shared between the
 * measured process, the simulator and Postgres.
 */
import { readdirSync, readFileSync } from "node:fs"
import { cpuSecondsOfStat, readStatCpuSeconds } from "../../src/lib/runtime/proc-stat.ts"

/** utime + stime of one process in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function readCpuSeconds(pid: number): number {
  try {
    return readStatCpuSeconds(`/proc/${pid}/stat`)
  } catch {
    return Number.NaN
  }
}

/** CPU seconds per live `postgres` process (the whole cluster: other people's tests count too). */
export function readPostgresCpuByPid(): Map<number, number> {
  const byPid = new Map<number, number>()
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      if (!stat.includes("(postgres)")) continue
      byPid.set(Number(entry), cpuSecondsOfStat(stat))
    } catch {
      // The process exited between readdir and read.
    }
  }
  return byPid
}

/**
 * Postgres CPU over a window, polled so backends that exit inside it (a pool closed at shutdown)
 * still count with their last reading. Upper bound: every database on the server counts.
 */
export class PostgresCpuTracker {
  private readonly first = readPostgresCpuByPid()
  private readonly last = new Map(this.first)
  private readonly timer = setInterval(() => this.poll(), 500)

  poll(): void {
    for (const [pid, cpu] of readPostgresCpuByPid()) this.last.set(pid, cpu)
  }

  /** CPU seconds used since construction; stops polling. */
  stop(): number {
    this.poll()
    clearInterval(this.timer)
    let total = 0
    for (const [pid, cpu] of this.last) total += cpu - (this.first.get(pid) ?? 0)
    return total
  }
}

/**
 * Threads of this process that Bun and JavaScriptCore start (main, Workers, pools, JIT, GC,
 * allocator, HTTP client; names as /proc shows them, cut to 15 characters; `bun.exe` is the main
 * thread of a `bun test --parallel` worker process). Every other thread of
 * the bench process belongs to embedded ClickHouse (chdb: ThreadPool, BgSchPool, MergeMutate,
 * MemoryWorker, ...), which the performance issue wants reported apart from Atlas's CPU.
 */
const BUN_THREAD =
  /^(bun|bun\.exe|Bun Pool \d+|Worker|JITWorker|JSCWarmUp|HeapHelper|HTTP Client|mi-scavenger|.*Signal Sender|.*ollector Thread)$/

/** CPU seconds per live thread of this process that is not Bun's (see BUN_THREAD): embedded ClickHouse. */
export function readEmbeddedClickhouseCpuByTid(): Map<number, number> {
  const byTid = new Map<number, number>()
  let tasks: string[]
  try {
    tasks = readdirSync("/proc/self/task")
  } catch {
    return byTid
  }
  for (const tid of tasks) {
    try {
      const comm = readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trimEnd()
      if (BUN_THREAD.test(comm)) continue
      byTid.set(Number(tid), readStatCpuSeconds(`/proc/self/task/${tid}/stat`))
    } catch {
      // The thread exited between readdir and read.
    }
  }
  return byTid
}

/** Like PostgresCpuTracker, for embedded ClickHouse's threads (they come and go with queries). */
class ThreadCpuTracker {
  private readonly first = readEmbeddedClickhouseCpuByTid()
  private readonly last = new Map(this.first)

  poll(): void {
    for (const [tid, cpu] of readEmbeddedClickhouseCpuByTid()) this.last.set(tid, cpu)
  }

  stop(): number {
    this.poll()
    let total = 0
    for (const [tid, cpu] of this.last) total += cpu - (this.first.get(tid) ?? 0)
    return total
  }
}

export interface CpuWindow {
  /** Ends the window: cores used by each party. */
  stop(): CpuShare
}

export interface CpuShare {
  wallSeconds: number
  benchCores: number
  simCores: number
  postgresCores: number
  /** Embedded ClickHouse's own threads, included in benchCores (0 when it is not loaded). */
  clickhouseCores: number
}

/** Starts measuring CPU of this process, the simulator process and Postgres. */
export function startCpuWindow(simPid: number | null): CpuWindow {
  const read = () => {
    const usage = process.cpuUsage()
    return { self: (usage.user + usage.system) / 1e6, sim: simPid === null ? 0 : readCpuSeconds(simPid), wall: performance.now() / 1000 }
  }
  const a = read()
  const pg = new PostgresCpuTracker()
  const ch = new ThreadCpuTracker()
  const timer = setInterval(() => ch.poll(), 500)
  return {
    stop() {
      clearInterval(timer)
      const postgres = pg.stop()
      const clickhouse = ch.stop()
      const b = read()
      const wall = Math.max(1e-3, b.wall - a.wall)
      const round = (x: number) => Math.round((x / wall) * 100) / 100
      return {
        wallSeconds: Math.round(wall * 10) / 10,
        benchCores: round(b.self - a.self),
        simCores: round(b.sim - a.sim),
        postgresCores: round(postgres),
        clickhouseCores: round(clickhouse),
      }
    },
  }
}
