import { expect, test } from "bun:test"
import { generateSyntheticInstances } from "./synthetic.ts"

test("synthetic instances are deterministic for a seed and carry 64-bit ids as strings", () => {
  const a = generateSyntheticInstances({ count: 50, seed: 42 })
  const b = generateSyntheticInstances({ count: 50, seed: 42 })
  expect(JSON.stringify(a.map((x) => x.instance))).toBe(JSON.stringify(b.map((x) => x.instance)))
  expect(JSON.stringify(generateSyntheticInstances({ count: 50, seed: 43 }).map((x) => x.instance))).not.toBe(
    JSON.stringify(a.map((x) => x.instance)),
  )
  const ids = a.flatMap((x) => x.instance.players.map((p) => p.player.membershipId))
  expect(ids.every((id) => typeof id === "string" && BigInt(id) > 2n ** 53n)).toBe(true)
  // Completion order differs from id order, so stores see out-of-order clears.
  const completed = a.map((x) => x.instance.dateCompleted)
  expect(completed).not.toEqual([...completed].sort())
})
