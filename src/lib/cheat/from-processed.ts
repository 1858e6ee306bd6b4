/**
 * Builds a cheat-check input from a processed PGCR (lib/pgcr), for checking a PGCR file that was
 * never stored (the operator's `cheat-check --file`) and for tests built on the real fixtures.
 * Stored instances are loaded by lib/database/cheat-input-loader.ts instead.
 */
import type { ProcessedInstance } from "../pgcr/types.ts"
import type { CheatInstance, CheatWeapon } from "./types.ts"

export type WeaponInfo = Pick<CheatWeapon, "slot" | "ammoType" | "element">

export interface ProcessedContext {
  activityId: number
  versionId: number
  /** ISO-8601: the activity's release (definitions.activity_definition.release_date). */
  activityReleaseDate: string
  seasonId: number | null
  /** Weapon definitions by hash; unknown weapons get null slot/ammo/element. */
  lookupWeapon?: (weaponHash: number) => WeaponInfo | undefined
}

const DAY_MS = 86_400_000

export function buildCheatInstance(processed: ProcessedInstance, context: ProcessedContext): CheatInstance {
  const dateCompleted = new Date(processed.dateCompleted)
  return {
    instanceId: BigInt(processed.instanceId),
    activityId: context.activityId,
    versionId: context.versionId,
    completed: processed.completed,
    fresh: processed.fresh,
    flawless: processed.flawless,
    playerCount: processed.playerCount,
    dateStarted: new Date(processed.dateStarted),
    dateCompleted,
    durationSeconds: processed.durationSeconds,
    daysSinceRelease: (dateCompleted.getTime() - new Date(context.activityReleaseDate).getTime()) / DAY_MS,
    seasonId: context.seasonId,
    skullHashes: [...processed.skullHashes],
    players: processed.players.map((p) => ({
      membershipId: BigInt(p.player.membershipId),
      finished: p.finished,
      timePlayedSeconds: p.timePlayedSeconds,
      isFirstClear: p.isFirstClear,
      characters: p.characters.map((c) => ({
        characterId: BigInt(c.characterId),
        classHash: c.classHash,
        completed: c.completed,
        kills: c.kills,
        deaths: c.deaths,
        precisionKills: c.precisionKills,
        superKills: c.superKills,
        grenadeKills: c.grenadeKills,
        meleeKills: c.meleeKills,
        startSeconds: c.startSeconds,
        timePlayedSeconds: c.timePlayedSeconds,
        weapons: c.weapons.map((w) => {
          const info = context.lookupWeapon?.(w.weaponHash)
          return {
            weaponHash: w.weaponHash,
            kills: w.kills,
            precisionKills: w.precisionKills,
            slot: info?.slot ?? null,
            ammoType: info?.ammoType ?? null,
            element: info?.element ?? null,
          }
        }),
      })),
    })),
  }
}
