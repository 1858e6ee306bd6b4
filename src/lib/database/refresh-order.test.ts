import { describe, expect, test } from "bun:test"
import { type MaterializedViewNode, orderForRefresh } from "./refresh-order.ts"

const node = (name: string, dependsOn: string[] = []): MaterializedViewNode => ({ name, schema: name.split(".")[0]!, dependsOn })

describe("orderForRefresh", () => {
  test("caches first, then by name, when nothing depends on anything", () => {
    const order = orderForRefresh([
      node("leaderboard.b"),
      node("cache.z"),
      node("leaderboard.a"),
      node("cache.a"),
      node("analytics.x"),
    ]).map((v) => v.name)
    expect(order).toEqual(["cache.a", "cache.z", "analytics.x", "leaderboard.a", "leaderboard.b"])
  })

  test("a view comes after every view it reads, even a cache view after a leaderboard", () => {
    const order = orderForRefresh([
      node("cache.derived", ["leaderboard.base"]),
      node("leaderboard.top", ["cache.derived", "cache.plain"]),
      node("leaderboard.base"),
      node("cache.plain"),
    ]).map((v) => v.name)
    expect(order).toEqual(["cache.plain", "leaderboard.base", "cache.derived", "leaderboard.top"])
  })

  test("ignores self references and views outside the set; rejects a cycle", () => {
    expect(orderForRefresh([node("cache.a", ["cache.a", "other.gone"])]).map((v) => v.name)).toEqual(["cache.a"])
    expect(() => orderForRefresh([node("cache.a", ["cache.b"]), node("cache.b", ["cache.a"])])).toThrow(/cycle: cache.a, cache.b/)
  })
})
