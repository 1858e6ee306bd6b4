/**
 * The monitoring files in ops/ against the code: every PromQL expression of every dashboard and
 * alert rule reads only series some app's metric table declares (src/apps/metric-tables.ts), with
 * labels that series has; Loki queries select by the labels the shipper sets; Alertmanager inhibits
 * only alerts that exist. (promtool and amtool run in promtool.integration.test.ts.)
 */
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { APP_METRICS } from "../apps/metric-tables.ts"
import { listSelectors, readLabelValuesQuery } from "./promql-selectors.ts"
import { listPanels, listQueries, readDashboards } from "./testing/dashboards.ts"
import { buildKnownSeries, checkSelector } from "./testing/known-series.ts"

const ROOT = resolve(import.meta.dir, "../..")
const OPS = join(ROOT, "ops")
const dashboards = readDashboards(join(OPS, "grafana/dashboards"))

const known = buildKnownSeries()

function problemsOf(expr: string): string[] {
  const labelValues = readLabelValuesQuery(expr)
  const selectors = labelValues ? labelValues.selectors : listSelectors(expr)
  if (selectors.length === 0 && !labelValues) return ["reads no series"]
  return selectors.flatMap((s) => checkSelector(known, s))
}

interface Rule {
  alert?: string
  record?: string
  expr: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}
const rules = (
  Bun.YAML.parse(readFileSync(join(OPS, "alerts.yml"), "utf8")) as { groups: { name: string; rules: Rule[] }[] }
).groups.flatMap((g) => g.rules)

describe("series read by the dashboards and rules exist in the code", () => {
  test("every app compose runs has its metric tables listed (the dashboards read them all)", () => {
    expect(APP_METRICS.map((a) => a.job).sort()).toEqual(["atlas", "hermes", "scheduler", "zeus"])
  })

  test("the check itself catches a renamed series and a wrong label", () => {
    expect(problemsOf("rate(atlas_resolved_ids_total[5m])")).toEqual([])
    expect(problemsOf("rate(atlas_resolved_id_total[5m])")).toEqual(["atlas_resolved_id_total: no app exports it"])
    expect(problemsOf('atlas_resolved_ids_total{kind="raid"}')).toEqual(["atlas_resolved_ids_total: has no label kind"])
    expect(problemsOf("atlas_lag_seconds")).toEqual(["atlas_lag_seconds: no app exports it"])
    expect(problemsOf('pgcr_crawl_summary_lag_seconds_bucket{le="5",status="1",attempts="1",job="atlas"}')).toEqual([])
  })

  test("every PromQL expression of every dashboard", () => {
    const queries = dashboards.flatMap(listQueries).filter((q) => q.datasource === "prometheus")
    expect(queries.length).toBeGreaterThan(60)
    const problems = queries.flatMap((q) => problemsOf(q.expr).map((p) => `${q.file} / ${q.where}: ${p}`))
    expect(problems).toEqual([])
  })

  test("every alerting rule", () => {
    expect(rules.length).toBeGreaterThan(10)
    const problems = rules.flatMap((r) => problemsOf(r.expr).map((p) => `${r.alert ?? r.record}: ${p}`))
    expect(problems).toEqual([])
  })

  test("the alerts the issue lists exist, each with a severity, a summary and a description", () => {
    const names = new Set(rules.map((r) => r.alert))
    for (const name of [
      "CrawlerLagHigh",
      "AtlasDown",
      "Atlas404ShareFarFromTarget",
      "AtlasThrottledShareHigh",
      "QueueOldestMessageOld",
      "DeadLetterQueueGrowing",
      "OutboxBacklogGrowing",
      "ClickhouseRelayFailing",
      "JobMissedSchedule",
      "BungieDisabled",
    ]) {
      expect(names).toContain(name)
    }
    for (const r of rules) {
      expect([r.alert, r.labels?.severity]).toEqual([r.alert, expect.stringMatching(/^(critical|warning|info)$/)])
      expect(r.annotations?.summary && r.annotations.description).toBeTruthy()
    }
  })

  test("the crawler lag alert uses the public status page's exact query", () => {
    const lag = rules.find((r) => r.alert === "CrawlerLagHigh")!
    expect(lag.expr).toStartWith("histogram_quantile(0.50, sum(rate(pgcr_crawl_summary_lag_seconds_bucket[2m])) by (le))")
  })
})

describe("dashboards", () => {
  test("the set operators need, unique uids, each panel says what it answers", () => {
    expect(dashboards.map((d) => d.title).sort()).toEqual(["Atlas", "Errors", "Jobs", "Queues", "Storage", "System overview", "Zeus"])
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length)
    for (const d of dashboards) {
      expect(d.description.length).toBeGreaterThan(20)
      for (const panel of listPanels(d).filter((p) => p.type !== "row")) {
        expect(`${d.file} / ${panel.title}: ${(panel.description ?? "").length > 20}`).toBe(`${d.file} / ${panel.title}: true`)
      }
    }
  })

  test("every datasource a dashboard uses is provisioned", () => {
    const provisioned = Bun.YAML.parse(readFileSync(join(OPS, "grafana/provisioning/datasources/datasources.yml"), "utf8")) as {
      datasources: { uid: string; url: string }[]
    }
    const uids = new Set(provisioned.datasources.map((d) => d.uid))
    const used = new Set(dashboards.flatMap(listQueries).map((q) => q.datasource))
    expect([...used].filter((uid) => !uids.has(uid))).toEqual([])
  })

  test("Loki queries select streams by the labels the shipper sets (service, level, container)", () => {
    const alloy = readFileSync(join(OPS, "alloy/config.alloy"), "utf8")
    const shipped = new Set([...alloy.matchAll(/target_label\s*=\s*"([a-z_]+)"/g)].map((m) => m[1]!))
    for (const m of alloy.matchAll(/stage\.labels\s*\{\s*values\s*=\s*\{\s*([a-z_]+)\s*=/g)) shipped.add(m[1]!)
    expect([...shipped].sort()).toEqual(["container", "level", "service"])
    const queries = dashboards.flatMap(listQueries).filter((q) => q.datasource === "loki")
    expect(queries.length).toBeGreaterThan(5)
    for (const q of queries) {
      if (q.where.startsWith("variable")) continue
      const selector = /\{([^}]*)\}/.exec(q.expr)
      expect(selector).not.toBeNull()
      const labels = [...selector![1]!.matchAll(/([a-z_]+)\s*(=~|!~|!=|=)/g)].map((m) => m[1]!)
      expect(labels.length).toBeGreaterThan(0)
      expect(labels.filter((l) => !shipped.has(l))).toEqual([])
    }
  })
})

describe("alertmanager", () => {
  test("Alertmanager inhibits only alerts that exist", () => {
    const am = Bun.YAML.parse(readFileSync(join(OPS, "alertmanager/alertmanager.yml"), "utf8")) as {
      inhibit_rules: { source_matchers: string[]; target_matchers: string[] }[]
    }
    const names = new Set(rules.map((r) => r.alert!))
    const named = am.inhibit_rules
      .flatMap((r) => [...r.source_matchers, ...r.target_matchers])
      .flatMap((m) => {
        const match = /^alertname(=~|=)"([^"]+)"$/.exec(m)
        return match ? match[2]!.split("|") : []
      })
    expect(named.length).toBeGreaterThan(3)
    expect(named.filter((n) => !names.has(n))).toEqual([])
  })
})
