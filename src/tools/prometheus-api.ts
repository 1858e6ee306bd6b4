/**
 * The two Prometheus HTTP API calls the status tool needs (instant and range queries), bounded by
 * a timeout. Values come back as Prometheus writes them (decimal strings), so an id held in a
 * gauge can be read back exactly.
 */

export interface InstantSample {
  labels: Record<string, string>
  value: string
}

export interface RangeSeries {
  labels: Record<string, string>
  /** [unix seconds, value string] */
  values: [number, string][]
}

export class PrometheusQueryError extends Error {}

interface ApiAnswer<T> {
  status: "success" | "error"
  error?: string
  data?: { resultType: string; result: T }
}

async function callApi<T>(base: string, path: string, params: Record<string, string>, timeoutMs: number): Promise<T> {
  const url = new URL(path, base.endsWith("/") ? base : `${base}/`)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  const body = (await response.json().catch(() => null)) as ApiAnswer<T> | null
  if (body?.status !== "success" || body.data === undefined) {
    throw new PrometheusQueryError(`${url.pathname} ${params.query}: ${body?.error ?? `HTTP ${response.status}`}`)
  }
  return body.data.result
}

export function queryInstant(base: string, query: string, timeoutMs = 10_000): Promise<InstantSample[]> {
  return callApi<{ metric: Record<string, string>; value: [number, string] }[]>(base, "api/v1/query", { query }, timeoutMs).then((r) =>
    r.map((s) => ({ labels: s.metric, value: s.value[1] })),
  )
}

export function queryRange(
  base: string,
  query: string,
  startS: number,
  endS: number,
  stepS: number,
  timeoutMs = 10_000,
): Promise<RangeSeries[]> {
  return callApi<{ metric: Record<string, string>; values: [number, string][] }[]>(
    base,
    "api/v1/query_range",
    { query, start: String(startS), end: String(endS), step: String(stepS) },
    timeoutMs,
  ).then((r) => r.map((s) => ({ labels: s.metric, values: s.values })))
}
