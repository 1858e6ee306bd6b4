/**
 * Checks that a ProcessedInstance is storable: the shape writers rely on (ids are canonical
 * decimal strings, stats fit int32 columns, hashes fit uint32, dates are ISO, time played within
 * the duration, ...). Pure; returns problems instead of throwing. Used by the robustness tests and
 * handy as a guard in tools.
 */
import type { ProcessedInstance } from "./types.ts"

const INT32_MAX = 2_147_483_647
const ISO = /^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const ID = /^[1-9][0-9]{0,18}$/

export function findInstanceProblems(i: ProcessedInstance): string[] {
  const problems: string[] = []
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what)
  }
  const isInt32 = (n: unknown) => typeof n === "number" && Number.isInteger(n) && Math.abs(n) <= INT32_MAX
  const isHash = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 4_294_967_295
  const isIso = (s: unknown) => typeof s === "string" && ISO.test(s) && !Number.isNaN(Date.parse(s))

  check(ID.test(i.instanceId), `instanceId ${i.instanceId}`)
  check(isHash(i.hash), "hash")
  check(isIso(i.dateStarted) && isIso(i.dateCompleted), "dates")
  check(Date.parse(i.dateCompleted) - Date.parse(i.dateStarted) === i.durationSeconds * 1000, "dateCompleted = start + duration")
  check(isInt32(i.durationSeconds) && i.durationSeconds >= 0, "durationSeconds")
  check(isInt32(i.score) && isInt32(i.membershipType), "score/membershipType")
  check(i.playerCount === i.players.length && i.playerCount > 0, "playerCount")
  check(i.completed === i.players.some((p) => p.finished), "completed = any finished")
  check(i.flawless === false || (i.completed && i.flawless === i.fresh), "flawless consistency")
  check(
    i.skullHashes.every((h, k) => isHash(h) && h !== 0 && (k === 0 || h > i.skullHashes[k - 1]!)),
    "skullHashes sorted, unique, non-zero",
  )
  const members = new Set<string>()
  const characters = new Set<string>()
  for (const p of i.players) {
    const id = p.player.membershipId
    check(ID.test(id) && !members.has(id), `membershipId ${id}`)
    members.add(id)
    check(isInt32(p.timePlayedSeconds) && p.timePlayedSeconds >= 0 && p.timePlayedSeconds <= i.durationSeconds, `timePlayed of ${id}`)
    const firstSeen = Date.parse(p.player.firstSeen)
    const lastSeen = Date.parse(p.player.lastSeen)
    check(isIso(p.player.firstSeen) && isIso(p.player.lastSeen), `seen dates of ${id}`)
    check(firstSeen <= lastSeen && lastSeen <= Date.parse(i.dateCompleted), `firstSeen ≤ lastSeen ≤ dateCompleted for ${id}`)
    const code = p.player.bungieGlobalDisplayNameCode
    check(code === null || /^\d{4}$/.test(code), `name code of ${id}`)
    check((code === null) === (p.player.bungieGlobalDisplayName === null), `name pair of ${id}`)
    check(p.player.membershipType !== null || p.player.displayName === null, `profile of private ${id}`)
    check(p.characters.length > 0, `characters of ${id}`)
    for (const c of p.characters) {
      check(ID.test(c.characterId) && !characters.has(c.characterId), `characterId ${c.characterId}`)
      characters.add(c.characterId)
      check(c.classHash === null || (isHash(c.classHash) && c.classHash !== 0), "classHash")
      check(c.emblemHash === null || (isHash(c.emblemHash) && c.emblemHash !== 0), "emblemHash")
      for (const n of [c.score, c.kills, c.deaths, c.assists, c.precisionKills, c.superKills, c.grenadeKills, c.meleeKills]) {
        check(isInt32(n), `stat of ${c.characterId}`)
      }
      check(isInt32(c.startSeconds) && c.startSeconds >= 0 && isInt32(c.timePlayedSeconds) && c.timePlayedSeconds >= 0, "seconds")
      const weapons = new Set<number>()
      for (const w of c.weapons) {
        check(isHash(w.weaponHash) && !weapons.has(w.weaponHash), `weapon ${w.weaponHash}`)
        weapons.add(w.weaponHash)
        check(isInt32(w.kills) && isInt32(w.precisionKills), "weapon stats")
      }
    }
  }
  return problems
}
