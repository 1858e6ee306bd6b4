/**
 * character_fill: {membershipId, characterId, instanceId} of a character whose class or emblem
 * is missing (the store's outbox for every such character of a new instance; the public API on
 * instance views, ids as JSON strings). GetCharacter (component 200) with the player's type
 * (resolved through Bungie's hint when unknown or wrong), then every row of that character still
 * missing class or emblem is filled (a character's class never changes, and the current emblem is
 * the best answer for a PGCR that hid it), the player's icon when missing, and the type when it
 * was unknown. Each message stands alone: a row filled already makes no request.
 *
 * A character not stored in that instance → `.dead` (nothing can ever fill it). A character or
 * account Bungie does not know (1620 / 1601) → acknowledged (the account is marked
 * profile_missing_at for 1601); nothing to fill.
 */
import type { AnySql } from "../../lib/database/sql-types.ts"
import { type Outcome, ok, type QueueWorker, reject } from "../../lib/messaging/queue-worker.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import { isDestinyMembershipType } from "./membership.ts"
import { failureOutcome } from "./outcomes.ts"
import { readCharacter } from "./readers.ts"
import { callWithMembershipType, type PlayerBungie } from "./resolve-type.ts"

export interface CharacterFillMessage {
  membershipId: bigint
  characterId: bigint
  instanceId: bigint
}

export interface CharacterFillDeps {
  sql: AnySql
  bungie: PlayerBungie
  log: Logger
  now?: () => number
}

interface StoredCharacter {
  class_hash: string | null
  emblem_hash: string | null
  membership_type: number | null
  icon_path: string | null
}

export function createCharacterFillWorker(deps: CharacterFillDeps): QueueWorker<Record<string, bigint>> {
  const now = deps.now ?? Date.now
  return {
    queue: "character_fill",
    async handle(delivery): Promise<Outcome> {
      const { membershipId, characterId, instanceId } = delivery.value as unknown as CharacterFillMessage
      const [m, c, i] = [membershipId.toString(), characterId.toString(), instanceId.toString()]
      const [stored] = await deps.sql<StoredCharacter[]>`
        select ic.class_hash::text as class_hash, ic.emblem_hash::text as emblem_hash, p.membership_type, p.icon_path
        from extended.instance_character ic join core.player p using (membership_id)
        where ic.instance_id = ${i}::bigint and ic.membership_id = ${m}::bigint and ic.character_id = ${c}::bigint`
      if (!stored) return reject(`character ${c} of player ${m} is not stored in instance ${i}`)
      if (stored.class_hash !== null && stored.emblem_hash !== null && stored.icon_path !== null) return ok

      const typed = await callWithMembershipType(
        deps.bungie,
        stored.membership_type,
        (client, type) => client.getCharacter(type, membershipId, characterId, [200]),
        delivery.signal,
      )
      const result = typed.result
      if (result.kind !== "ok") {
        if (result.kind === "notFound") {
          if (result.meta.errorCode === 1601) {
            await deps.sql`update core.player set profile_missing_at = ${new Date(now())} where membership_id = ${m}::bigint`
          }
          deps.log.info("character_fill.not_found", { membershipId: m, characterId: c, errorCode: result.meta.errorCode })
          return ok
        }
        return failureOutcome(result, "GetCharacter")
      }
      const character = readCharacter((result.value as { character?: { data?: unknown } }).character?.data, c)
      if (character === null) return { kind: "retry", reason: "GetCharacter: no character component in the answer" }
      await deps.sql.begin(async (tx) => {
        await tx`
          update extended.instance_character set
            class_hash = coalesce(class_hash, ${character.classHash}::bigint),
            emblem_hash = coalesce(emblem_hash, ${character.emblemHash}::bigint)
          where membership_id = ${m}::bigint and character_id = ${c}::bigint and (class_hash is null or emblem_hash is null)`
        await tx`
          update core.player set
            icon_path = coalesce(icon_path, ${character.emblemPath}),
            membership_type = case when coalesce(membership_type, 0) = 0 and ${isDestinyMembershipType(typed.membershipType)}
                                   then ${typed.membershipType}::int else membership_type end,
            updated_at = now()
          where membership_id = ${m}::bigint and (icon_path is null or coalesce(membership_type, 0) = 0)`
      })
      return ok
    },
  }
}
