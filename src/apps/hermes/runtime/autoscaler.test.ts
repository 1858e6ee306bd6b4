import { describe, expect, test } from "bun:test"
import { createAutoscaler, DEFAULT_SCALER_PARAMS, type ScalerDecision } from "./autoscaler.ts"

/** A queue served by W workers at `perSlot` msg/s each, observed every `tickMs` on a simulated clock. */
function simulate(o: {
  min: number
  max: number
  perSlot: number
  tickMs: number
  ticks: number
  arrivals: (tick: number) => number
  initialWorkers?: number
}): { decisions: (ScalerDecision & { tick: number })[]; workers: number[]; depth: number[] } {
  const scaler = createAutoscaler({ ...DEFAULT_SCALER_PARAMS, min: o.min, max: o.max })
  let workers = o.initialWorkers ?? o.min
  let depth = 0
  let served = 0
  let busyMs = 0
  const decisions: (ScalerDecision & { tick: number })[] = []
  const trace: number[] = []
  const depths: number[] = []
  for (let tick = 0; tick < o.ticks; tick++) {
    depth += o.arrivals(tick)
    const capacity = workers * o.perSlot * (o.tickMs / 1000)
    const done = Math.min(depth, Math.floor(capacity))
    depth -= done
    served += done
    busyMs += (done / o.perSlot) * 1000
    const decision = scaler.observe({ now: tick * o.tickMs, depth, served, busyMs, workers, concurrencyPerWorker: 1 })
    if (decision.direction !== "none") decisions.push({ ...decision, tick })
    workers = decision.target
    trace.push(workers)
    depths.push(depth)
  }
  return { decisions, workers: trace, depth: depths }
}

describe("autoscaler (simulated clock)", () => {
  test("a burst of 10,000 messages: up within two ticks, drained, then stepwise back down to min", () => {
    const run = simulate({ min: 1, max: 40, perSlot: 20, tickMs: 5_000, ticks: 120, arrivals: (t) => (t === 1 ? 10_000 : 0) })
    const directions = run.decisions.map((d) => d.direction)
    expect(directions[0]).toBe("up")
    // The first increase comes at most two ticks (10 s) after the burst arrived.
    expect(run.decisions[0]!.tick).toBeLessThanOrEqual(3)
    expect(Math.max(...run.workers)).toBeGreaterThan(10)
    const firstDown = directions.indexOf("down")
    expect(firstDown).toBeGreaterThan(0)
    // No flapping: every increase comes before every decrease.
    expect(directions.slice(firstDown).every((d) => d === "down")).toBe(true)
    expect(run.workers.at(-1)).toBe(1)
    expect(run.depth.at(-1)).toBe(0)
    for (const d of run.decisions) expect(d.reason.length).toBeGreaterThan(0)
  })

  test("a steady load the workers keep up with makes no decisions; never below min or above max", () => {
    const steady = simulate({ min: 2, max: 8, perSlot: 50, tickMs: 5_000, ticks: 60, arrivals: () => 300, initialWorkers: 2 })
    expect(steady.decisions).toEqual([])
    const capped = simulate({ min: 2, max: 8, perSlot: 1, tickMs: 5_000, ticks: 30, arrivals: () => 10_000 })
    expect(Math.max(...capped.workers)).toBe(8)
    expect(Math.min(...capped.workers)).toBeGreaterThanOrEqual(2)
  })

  test("a load oscillating around the capacity does not flap (hysteresis)", () => {
    // 4 workers at 20/s each serve 80/s; the load alternates 60/s and 90/s per tick.
    const run = simulate({
      min: 1,
      max: 20,
      perSlot: 20,
      tickMs: 5_000,
      ticks: 80,
      arrivals: (t) => (t % 2 === 0 ? 300 : 450),
      initialWorkers: 4,
    })
    const changes = run.decisions.length
    expect(changes).toBeLessThanOrEqual(2)
  })

  test("the first sample, and a sample without time passing, decide nothing", () => {
    const scaler = createAutoscaler({ ...DEFAULT_SCALER_PARAMS, min: 1, max: 4 })
    const sample = { now: 1_000, depth: 100, served: 0, busyMs: 0, workers: 1, concurrencyPerWorker: 1 }
    expect(scaler.observe(sample).direction).toBe("none")
    expect(scaler.observe(sample).direction).toBe("none")
    expect(() => createAutoscaler({ ...DEFAULT_SCALER_PARAMS, min: 0, max: 4 })).toThrow()
  })
})
