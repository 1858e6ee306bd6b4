/**
 * CPU time from Linux's /proc/<pid>/stat, /proc/<pid>/task/<tid>/stat or /proc/thread-self/stat
 * (proc(5)): utime and stime, fields 14 and 15, in clock ticks of USER_HZ, which Linux fixes at
 * 100 for user space.
 */
import { readFileSync } from "node:fs"

const TICKS_PER_SECOND = 100

/** utime + stime in seconds from a stat line. The command name (field 2) sits in parentheses and
 * may itself hold spaces and parentheses, so fields are counted from its last ")". */
export function cpuSecondsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  // fields[0] is field 3 (state): utime is field 14, stime 15.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** utime + stime in seconds of the process or thread whose stat file is `path`; throws where it cannot be read. */
export function readStatCpuSeconds(path: string): number {
  return cpuSecondsOfStat(readFileSync(path, "utf8"))
}
