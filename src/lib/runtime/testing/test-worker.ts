/** Thread for worker-thread.test.ts: records known metrics, echoes, explodes on request, reports on close. */
import { registerMetrics } from "../../monitoring/metric-table.ts"
import { defineWorker } from "../worker-thread.ts"
import { TEST_METRICS, type TestWorkerIn, type TestWorkerInit, type TestWorkerOut } from "./test-metrics.ts"

defineWorker<TestWorkerInit, TestWorkerIn, TestWorkerOut>((init, scope) => {
  if (init.failSetup) throw new Error(init.failSetup)
  const m = registerMetrics(scope.metrics, TEST_METRICS, "worker")
  for (let i = 0; i < init.requests; i++) m.requests.inc({ result: i % 4 === 0 ? "notFound" : "ok", address: `a${i % 2}` })
  m.lag.observe(init.lagSeconds)
  m.depth.set({ queue: "writer" }, 7)
  return {
    onMessage(message) {
      if (message.type === "echo") scope.post({ type: "echoed", value: message.value })
      else
        setTimeout(() => {
          throw new Error("exploded on request")
        })
    },
    async close() {
      scope.post({ type: "finished", requests: init.requests })
    },
  }
})
