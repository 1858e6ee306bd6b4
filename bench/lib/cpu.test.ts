import { expect, test } from "bun:test"
import { readEmbeddedClickhouseCpuByTid } from "./cpu.ts"

test("a Bun process without embedded ClickHouse has no thread counted as ClickHouse (Bun's thread names are all known)", async () => {
  // Start a Worker so its thread and Bun's pools exist while the threads are read.
  const worker = new Worker(URL.createObjectURL(new Blob(["postMessage(1)"], { type: "application/javascript" })))
  await new Promise((resolve) => worker.addEventListener("message", resolve, { once: true }))
  Bun.gzipSync(new Uint8Array(1 << 16))
  expect([...readEmbeddedClickhouseCpuByTid().keys()]).toEqual([])
  worker.terminate()
})
