/** Zeus in a separate process (bench/lib/zeus-child.ts), with its URLs, pid and metrics. */
import { join } from "node:path"
import { readCpuSeconds } from "./cpu.ts"
import type { ZeusChildOptions } from "./zeus-child.ts"

export interface ZeusProcess {
  url: string
  metricsUrl: string
  pid: number
  cpuSeconds(): number
  /** Prometheus text of zeus's /metrics. */
  metrics(): Promise<string>
  stop(): Promise<void>
}

const CHILD = join(import.meta.dir, "zeus-child.ts")

export async function spawnZeus(options: ZeusChildOptions): Promise<ZeusProcess> {
  const child = Bun.spawn([process.execPath, CHILD, JSON.stringify(options)], { stdout: "pipe", stderr: "inherit" })
  const reader = child.stdout.getReader()
  let banner = ""
  while (!banner.includes("\n")) {
    const { value, done } = await reader.read()
    if (done) throw new Error("zeus exited before printing its url")
    banner += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  const started = JSON.parse(banner.split("\n")[0]!) as { url: string; metricsUrl: string }
  return {
    url: started.url,
    metricsUrl: started.metricsUrl,
    pid: child.pid,
    cpuSeconds: () => readCpuSeconds(child.pid),
    async metrics() {
      return (await fetch(`${started.metricsUrl}/metrics`)).text()
    },
    async stop() {
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000)
      await child.exited
      clearTimeout(timer)
    },
  }
}

/** The value of one Prometheus series line (`name{labels} value`), summed over matching lines. */
export function readSeries(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue
    sum += Number(line.slice(line.lastIndexOf(" ") + 1))
  }
  return sum
}
