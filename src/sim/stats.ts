// Request accounting per source address, for /__sim/stats and benchmarks.

export interface SourceStats {
  requests: number
  ok: number
  throttled: number
  errors: number
  byStatus: Record<string, number>
  byErrorCode: Record<string, number>
  byFault: Record<string, number>
  byEndpoint: Record<string, number>
}

export class SimStats {
  private readonly sources = new Map<string, SourceStats>()
  readonly startedAt = Date.now()

  record(source: string, endpoint: string, httpStatus: number, errorCode: number | null, fault: string | null): void {
    let s = this.sources.get(source)
    if (!s) {
      s = { requests: 0, ok: 0, throttled: 0, errors: 0, byStatus: {}, byErrorCode: {}, byFault: {}, byEndpoint: {} }
      this.sources.set(source, s)
    }
    s.requests++
    s.byEndpoint[endpoint] = (s.byEndpoint[endpoint] ?? 0) + 1
    s.byStatus[httpStatus] = (s.byStatus[httpStatus] ?? 0) + 1
    if (errorCode !== null) s.byErrorCode[errorCode] = (s.byErrorCode[errorCode] ?? 0) + 1
    if (fault) s.byFault[fault] = (s.byFault[fault] ?? 0) + 1
    if (errorCode === 51) s.throttled++
    if (errorCode === 1 && fault === null) s.ok++
    else s.errors++
  }

  snapshot(): { totals: SourceStats; sources: Record<string, SourceStats> } {
    const totals: SourceStats = { requests: 0, ok: 0, throttled: 0, errors: 0, byStatus: {}, byErrorCode: {}, byFault: {}, byEndpoint: {} }
    const sources: Record<string, SourceStats> = {}
    for (const [source, s] of this.sources) {
      sources[source] = structuredClone(s)
      totals.requests += s.requests
      totals.ok += s.ok
      totals.throttled += s.throttled
      totals.errors += s.errors
      for (const key of ["byStatus", "byErrorCode", "byFault", "byEndpoint"] as const) {
        for (const [k, v] of Object.entries(s[key])) totals[key][k] = (totals[key][k] ?? 0) + v
      }
    }
    return { totals, sources }
  }

  reset(): void {
    this.sources.clear()
  }
}
