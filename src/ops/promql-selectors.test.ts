import { describe, expect, test } from "bun:test"
import { listSelectors, PromqlSyntaxError, readLabelValuesQuery } from "./promql-selectors.ts"

const names = (expr: string) => listSelectors(expr).map((s) => s.metric)

describe("listSelectors", () => {
  test("the public status page's query: one histogram bucket series", () => {
    expect(listSelectors("histogram_quantile(0.50, sum(rate(pgcr_crawl_summary_lag_seconds_bucket[2m])) by (le))")).toEqual([
      { metric: "pgcr_crawl_summary_lag_seconds_bucket", labels: [] },
    ])
  })

  test("functions, aggregations and their label lists are not metrics", () => {
    expect(names("sum without (instance) (rate(a_total[5m])) / on (job) group_left (x) max by (job) (b)")).toEqual(["a_total", "b"])
    expect(names("topk(3, sum by (queue_name) (queue_depth))")).toEqual(["queue_depth"])
  })

  test("matchers give label names; strings, durations, offsets, numbers and Grafana variables are skipped", () => {
    expect(
      listSelectors(
        'rate(atlas_throttles_total{kind="rate", address=~"127.*"}[$__rate_interval] offset 15m) > 0.01 and bool 1e3 < x{a!="}{"} # trailing comment up',
      ),
    ).toEqual([
      { metric: "atlas_throttles_total", labels: ["kind", "address"] },
      { metric: "x", labels: ["a"] },
    ])
    // Grafana's ${name} form, spelled without a template literal.
    expect(names(`queue_depth{queue_name="$queue"} * $${"{factor}"} + $n`)).toEqual(["queue_depth"])
    expect(names("max_over_time(up[1h:5m]) or vector(0) unless absent(up)")).toEqual(["up", "up"])
  })

  test("keywords are case-insensitive and Inf/NaN are numbers", () => {
    expect(names("a AND b Or c unless d > Inf < NaN")).toEqual(["a", "b", "c", "d"])
  })

  test("a broken expression is an error, not a silent pass", () => {
    expect(() => listSelectors('a{b="c}')).toThrow(PromqlSyntaxError)
    expect(() => listSelectors("rate(a[5m)")).toThrow(PromqlSyntaxError)
    expect(() => listSelectors("a{b}")).toThrow(PromqlSyntaxError)
  })
})

describe("readLabelValuesQuery", () => {
  test("selector and label of Grafana's label_values()", () => {
    expect(readLabelValuesQuery('label_values(queue_depth{job="hermes"}, queue_name)')).toEqual({
      selectors: [{ metric: "queue_depth", labels: ["job"] }],
      label: "queue_name",
    })
    expect(readLabelValuesQuery("label_values(job)")).toEqual({ selectors: [], label: "job" })
    expect(readLabelValuesQuery("up")).toBeNull()
  })
})
