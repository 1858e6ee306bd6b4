// Renders a planned instance into a PGCR Response body with the exact shape of its fixture
// template: same keys at every level, new ids, names, stats, weapons, durations and times.
import { stringifyBungie } from "./bungie-json.ts"
import type { FixtureData } from "./fixtures.ts"
import type { InstancePlan } from "./plan.ts"
import type { PlayerPool } from "./players.ts"
import { createRng, type Rng } from "./random.ts"

type Stat = { basic: { value: number; displayValue: string } }
type StatMap = Record<string, Stat>

const KILL_LIKE = new Set([
  "kills",
  "assists",
  "precisionKills",
  "weaponKillsGrenade",
  "weaponKillsMelee",
  "weaponKillsSuper",
  "weaponKillsAbility",
])

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`
}

export function formatIsoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")
}

function stat(value: number, displayValue: string): Stat {
  return { basic: { value, displayValue } }
}

const withCommas = (n: number) => Math.round(n).toLocaleString("en-US")

export interface RenderedPgcr {
  body: Record<string, any>
  json: string
}

export class PgcrRenderer {
  constructor(
    private readonly fixtures: FixtureData,
    private readonly players: PlayerPool,
  ) {}

  render(plan: InstancePlan, complete: boolean): RenderedPgcr {
    const body = JSON.parse(plan.template.json) as Record<string, any>
    const rng = createRng(plan.statSeed)
    const templateEntries = body.entries as any[]
    const duration0 = Number(templateEntries[0]?.values?.activityDurationSeconds?.basic?.value ?? 600)
    const duration = Math.max(30, Math.round(duration0 * plan.durationScale))
    body.period = formatIsoSeconds(plan.endedAt - duration * 1000)
    const details = body.activityDetails
    details.referenceId = plan.hash
    details.directorActivityHash = plan.hash
    details.instanceId = String(plan.id)
    const fireteams = new Map<number, number>()
    const n = templateEntries.length
    body.entries = templateEntries.map((entry, i) => this.renderEntry(entry, plan, i, n, duration, duration0, rng, fireteams))
    if (!complete && plan.incompleteEntries < n) body.entries = body.entries.slice(0, plan.incompleteEntries)
    return { body, json: stringifyBungie(body) }
  }

  private renderEntry(
    entry: any,
    plan: InstancePlan,
    i: number,
    n: number,
    duration: number,
    duration0: number,
    rng: Rng,
    fireteams: Map<number, number>,
  ): any {
    const planned = plan.entries[i]!
    const player = this.players.get(planned.player)
    const character = player.characters[planned.slot] ?? player.characters[0]!
    const info = entry.player.destinyUserInfo
    const anonymous = info.membershipType === 0
    for (const key of Object.keys(info)) {
      switch (key) {
        case "iconPath":
          info.iconPath = player.iconPath
          break
        case "crossSaveOverride":
          info.crossSaveOverride = anonymous ? 0 : player.crossSaveOverride
          break
        case "applicableMembershipTypes":
          info.applicableMembershipTypes = player.applicableMembershipTypes
          break
        case "membershipType":
          info.membershipType = anonymous ? 0 : player.membershipType
          break
        case "membershipId":
          info.membershipId = player.membershipId
          break
        case "displayName":
          info.displayName = player.displayName
          break
        case "bungieGlobalDisplayName":
          info.bungieGlobalDisplayName = player.bungieGlobalDisplayName
          break
        case "bungieGlobalDisplayNameCode":
          info.bungieGlobalDisplayNameCode = player.bungieGlobalDisplayNameCode
          break
      }
    }
    const p = entry.player
    if ("characterClass" in p) p.characterClass = character.className
    if (p.classHash !== 0) p.classHash = character.classHash
    if (p.raceHash !== 0) p.raceHash = character.raceHash
    if (p.genderHash !== 0) p.genderHash = character.genderHash
    if ("emblemHash" in p) p.emblemHash = character.emblemHash
    entry.characterId = character.characterId

    const scale = duration / Math.max(duration0, 1)
    const factor = scale * (0.6 + rng.next() * 0.9)
    const values = entry.values as StatMap
    const read = (k: string) => Number(values[k]?.basic.value ?? 0)
    const kills = Math.round(read("kills") * factor)
    const assists = Math.round(read("assists") * factor)
    const deaths0 = read("deaths")
    const deaths = deaths0 === 0 ? 0 : Math.max(0, Math.round(deaths0 * (0.5 + rng.next() * 1.1)))
    const start = Math.min(duration, Math.round(read("startSeconds") * scale))
    const played = Math.max(0, Math.min(duration - start, Math.round(read("timePlayedSeconds") * scale)))
    // A completed Pantheon run: whoever was there at the end finished it.
    const finished = plan.completedRun && start + played >= 0.9 * duration
    for (const key of Object.keys(values)) {
      const v = read(key)
      switch (key) {
        case "kills":
          values[key] = stat(kills, String(kills))
          break
        case "assists":
          values[key] = stat(assists, String(assists))
          break
        case "deaths":
          values[key] = stat(deaths, String(deaths))
          break
        case "opponentsDefeated":
          values[key] = stat(kills + assists, String(kills + assists))
          break
        case "efficiency": {
          const x = deaths ? (kills + assists) / deaths : kills + assists
          values[key] = stat(x, x.toFixed(2))
          break
        }
        case "killsDeathsRatio": {
          const x = deaths ? kills / deaths : kills
          values[key] = stat(x, x.toFixed(2))
          break
        }
        case "killsDeathsAssists": {
          const x = deaths ? (kills + assists / 2) / deaths : kills + assists / 2
          values[key] = stat(x, x.toFixed(2))
          break
        }
        case "score":
        case "teamScore": {
          const x = v > 0 ? Math.round(v * factor) : v
          values[key] = stat(x, withCommas(x))
          break
        }
        case "activityDurationSeconds":
          values[key] = stat(duration, formatDuration(duration))
          break
        case "startSeconds":
          values[key] = stat(start, formatDuration(start))
          break
        case "timePlayedSeconds":
          values[key] = stat(played, formatDuration(played))
          break
        case "playerCount":
          if (v !== -1) values[key] = stat(n, String(n))
          break
        case "completed":
          if (plan.completedRun) values[key] = finished ? stat(1, "Yes") : stat(0, "No")
          break
        case "completionReason":
          if (finished) values[key] = stat(0, "Objective Completed")
          break
        case "fireteamId": {
          let id = fireteams.get(v)
          if (id === undefined) {
            id = (rng.next() * 2 - 1) * 9.2e18
            fireteams.set(v, id)
          }
          values[key] = stat(id, values[key]!.basic.displayValue)
          break
        }
      }
    }
    const extended = entry.extended
    if (extended) this.renderExtended(extended, kills, assists, deaths, factor, rng)
    if (entry.score?.basic?.value > 0) {
      const x = Math.round(entry.score.basic.value * factor)
      entry.score = stat(x, withCommas(x))
    }
    return entry
  }

  private renderExtended(extended: any, kills: number, assists: number, deaths: number, factor: number, rng: Rng): void {
    const ev = extended.values as StatMap | undefined
    if (ev) {
      for (const key of Object.keys(ev)) {
        if (!KILL_LIKE.has(key)) continue
        const x = Math.min(kills, Math.round(ev[key]!.basic.value * factor))
        ev[key] = stat(x, String(x))
      }
    }
    if (Array.isArray(extended.weapons)) {
      const used = new Set<number>()
      for (const weapon of extended.weapons) {
        let hash = rng.pick(this.fixtures.weaponHashes)
        for (let t = 0; used.has(hash) && t < 10; t++) hash = rng.pick(this.fixtures.weaponHashes)
        used.add(hash)
        weapon.referenceId = hash
        const wv = weapon.values as StatMap
        const wk = Math.max(wv.uniqueWeaponKills?.basic.value ? 1 : 0, Math.round((wv.uniqueWeaponKills?.basic.value ?? 0) * factor))
        const wp = Math.min(wk, Math.round((wv.uniqueWeaponPrecisionKills?.basic.value ?? 0) * factor))
        for (const key of Object.keys(wv)) {
          if (key === "uniqueWeaponKills") wv[key] = stat(wk, String(wk))
          else if (key === "uniqueWeaponPrecisionKills") wv[key] = stat(wp, String(wp))
          else if (key === "uniqueWeaponKillsPrecisionKills") {
            const r = wk > 0 ? wp / wk : 0
            wv[key] = stat(r, `${Math.round(r * 100)}%`)
          }
        }
      }
    }
    const sb = extended.scoreboardValues as StatMap | undefined
    if (sb) {
      for (const key of Object.keys(sb)) {
        const v = sb[key]!.basic.value
        if (key === "kills") sb[key] = stat(kills, String(kills))
        else if (key === "deaths") sb[key] = stat(deaths, String(deaths))
        else if (key === "assists") sb[key] = stat(assists, String(assists))
        else if (key.includes("score") || key.includes("points")) {
          const x = v * factor * (0.9 + rng.next() * 0.2)
          sb[key] = stat(x, withCommas(x))
        }
      }
    }
  }
}
