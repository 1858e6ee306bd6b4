/**
 * The per-queue autoscaler: a pure controller fed one sample per tick (time injected), deciding
 * how many workers the queue should run. It replaces the original's depth-only thresholds checked
 * every 5 minutes with rates:
 *
 *   arrival rate  λ = (depth change + messages served) / dt, smoothed (EWMA, time constant `rateTauMs`)
 *   service rate  μ = messages served / busy slot-seconds (handler time), smoothed the same way
 *   need          = (λ + depth / drainSeconds) / (μ · concurrency per worker) · headroom
 *
 * Hysteresis: up as soon as the need exceeds the workers for `upTicks` ticks (a 5 s tick and
 * upTicks 2 react within 10 s), straight to the need (bounded by max); down only when the need
 * stays below `downShare` of the workers for `downTicks` ticks and `cooldownMs` after the last
 * change, halfway towards the need each time. Never below min (>= 1), never above max.
 * Before any service rate is known, a backlog doubles the workers (to learn μ).
 */

export interface ScalerParams {
  min: number
  max: number
  /** A backlog should drain within this many seconds. */
  drainSeconds: number
  /** Capacity kept above the estimated need. */
  headroom: number
  /** Scale down only while the need is below this share of the workers. */
  downShare: number
  upTicks: number
  downTicks: number
  /** Least time between a change and a decrease. */
  cooldownMs: number
  rateTauMs: number
}

export const DEFAULT_SCALER_PARAMS: Omit<ScalerParams, "min" | "max"> = {
  drainSeconds: 30,
  headroom: 1.25,
  downShare: 0.6,
  upTicks: 2,
  downTicks: 6,
  cooldownMs: 30_000,
  rateTauMs: 10_000,
}

export interface ScalerSample {
  now: number
  /** Ready messages in the queue. */
  depth: number
  /** Cumulative messages finished by this queue's workers. */
  served: number
  /** Cumulative handler time in ms, summed over concurrent handlers. */
  busyMs: number
  workers: number
  concurrencyPerWorker: number
}

export interface ScalerDecision {
  target: number
  direction: "up" | "down" | "none"
  reason: string
  /** Estimates behind the decision (logged with it). */
  arrivalPerSec: number
  servicePerSlotPerSec: number | null
  need: number
}

export interface Autoscaler {
  observe(sample: ScalerSample): ScalerDecision
}

export function createAutoscaler(params: ScalerParams): Autoscaler {
  if (params.min < 1 || params.max < params.min)
    throw new Error(`autoscaler bounds must satisfy 1 <= min <= max, got ${params.min}..${params.max}`)
  let previous: ScalerSample | null = null
  let arrival = 0
  let service: number | null = null
  let upCount = 0
  let downCount = 0
  let lastChangeAt = Number.NEGATIVE_INFINITY

  const clamp = (n: number) => Math.min(params.max, Math.max(params.min, n))

  return {
    observe(sample) {
      const prev = previous
      previous = sample
      const workers = sample.workers
      const hold = (reason: string, need = workers): ScalerDecision => ({
        target: clamp(workers),
        direction: "none",
        reason,
        arrivalPerSec: arrival,
        servicePerSlotPerSec: service,
        need,
      })
      if (prev === null || sample.now <= prev.now) return hold("first sample")
      const dtMs = sample.now - prev.now
      const alpha = 1 - Math.exp(-dtMs / params.rateTauMs)
      const served = Math.max(0, sample.served - prev.served)
      const busyMs = Math.max(0, sample.busyMs - prev.busyMs)
      const arrivedNow = Math.max(0, (sample.depth - prev.depth + served) / (dtMs / 1000))
      arrival += alpha * (arrivedNow - arrival)
      if (served > 0 && busyMs > 0) {
        const rate = served / (busyMs / 1000)
        service = service === null ? rate : service + alpha * (rate - service)
      }

      let need: number
      if (service === null) need = sample.depth > 0 ? workers * 2 : workers
      else {
        const perWorker = service * Math.max(1, sample.concurrencyPerWorker)
        need = ((arrival + sample.depth / params.drainSeconds) / perWorker) * params.headroom
      }
      const wanted = clamp(Math.ceil(need))
      if (wanted > workers) {
        downCount = 0
        if (++upCount < params.upTicks) return hold(`need ${need.toFixed(1)} > ${workers} (${upCount}/${params.upTicks})`, need)
        upCount = 0
        lastChangeAt = sample.now
        return {
          target: wanted,
          direction: "up",
          reason: service === null ? `backlog ${sample.depth} before any service rate is known` : `need ${need.toFixed(1)} > ${workers}`,
          arrivalPerSec: arrival,
          servicePerSlotPerSec: service,
          need,
        }
      }
      upCount = 0
      if (workers > params.min && need < workers * params.downShare) {
        if (++downCount < params.downTicks) return hold(`need ${need.toFixed(1)} < ${workers} (${downCount}/${params.downTicks})`, need)
        if (sample.now - lastChangeAt < params.cooldownMs) return hold("cooling down", need)
        downCount = 0
        lastChangeAt = sample.now
        const target = clamp(Math.min(workers - 1, Math.max(wanted, Math.floor((workers + wanted) / 2))))
        return {
          target,
          direction: "down",
          reason: `need ${need.toFixed(1)} < ${(workers * params.downShare).toFixed(1)} for ${params.downTicks} ticks`,
          arrivalPerSec: arrival,
          servicePerSlotPerSec: service,
          need,
        }
      }
      downCount = 0
      return hold("steady", need)
    },
  }
}
