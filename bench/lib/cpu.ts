/**
 * CPU accounting from /proc, so a benchmark can say how the two cores were shared between the
 * measured process, the simulator and Postgres.
 */
import { readdirSync, readFileSync } from "node:fs"

const TICKS_PER_SECOND = 100

/** utime + stime of one process in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function readCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return Number.NaN
  }
}

/**
 * CPU seconds of every process named `postgres` (the whole cluster, all databases: other people's
 * tests on the shared server count too, so this is an upper bound). Exited backends are lost, so
 * the delta under-counts short connections.
 */
export function readPostgresCpuSeconds(): number {
  let total = 0
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      if (!stat.includes("(postgres)")) continue
      const fields = stat.split(") ")[1]!.split(" ")
      total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
    } catch {
      // The process exited between readdir and read.
    }
  }
  return total
}

export interface CpuSample {
  self: number
  sim: number
  postgres: number
  wall: number
}

export function sampleCpu(simPid: number | null): CpuSample {
  const usage = process.cpuUsage()
  return {
    self: (usage.user + usage.system) / 1e6,
    sim: simPid === null ? 0 : readCpuSeconds(simPid),
    postgres: readPostgresCpuSeconds(),
    wall: performance.now() / 1000,
  }
}

/** Cores used by each party between two samples (CPU seconds / wall seconds). */
export function describeCpuShare(a: CpuSample, b: CpuSample): { wallSeconds: number; benchCores: number; simCores: number; postgresCores: number } {
  const wall = Math.max(1e-3, b.wall - a.wall)
  const round = (x: number) => Math.round((x / wall) * 100) / 100
  return { wallSeconds: Math.round(wall * 10) / 10, benchCores: round(b.self - a.self), simCores: round(b.sim - a.sim), postgresCores: round(b.postgres - a.postgres) }
}
