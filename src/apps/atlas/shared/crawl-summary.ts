/**
 * The original crawler's public lag series, pgcr_crawl_summary_lag_seconds{status, attempts}: now
 * minus the activity's completion time when a PGCR is resolved (a raid when its transaction
 * commits, a non-raid when the fetcher resolves it). The public RaidHub status page reads its p50
 * (`histogram_quantile(0.50, sum(rate(..._bucket[2m])) by (le))`) and keeps only points above
 * 2.5 s, so this must be the completion lag (tens of seconds), never the publication lag (~1-2 s).
 */

/** The public RaidHub status page's query (its API asks Prometheus for it over the last 5 minutes at 15 s steps). */
export const PUBLIC_STATUS_LAG_QUERY = "histogram_quantile(0.50, sum(rate(pgcr_crawl_summary_lag_seconds_bucket[2m])) by (le))"

/** The original's result codes, kept as the status label: 1 Success (raid), 2 NonRaid. */
export const CRAWL_SUMMARY_STATUS = { raid: "1", nonRaid: "2" } as const

/** Attempts past this share one label value, so the series stay few. */
const MAX_ATTEMPTS_LABEL = 10

/** The attempts label: "1".."9", then "10+". */
export function formatAttemptsLabel(attempts: number): string {
  const n = Math.max(1, Math.floor(attempts))
  return n >= MAX_ATTEMPTS_LABEL ? `${MAX_ATTEMPTS_LABEL}+` : String(n)
}

interface LagHistogram {
  observe(labels: { status: string; attempts: string }, value: number): void
}

/** Records one resolved PGCR; a completion time that is not a number is skipped. */
export function observeCrawlSummaryLag(
  histogram: LagHistogram | undefined,
  kind: keyof typeof CRAWL_SUMMARY_STATUS,
  attempts: number,
  completedAtMs: number,
  nowMs: number,
): void {
  if (histogram === undefined || !Number.isFinite(completedAtMs)) return
  histogram.observe(
    { status: CRAWL_SUMMARY_STATUS[kind], attempts: formatAttemptsLabel(attempts) },
    Math.max(0, (nowMs - completedAtMs) / 1000),
  )
}
