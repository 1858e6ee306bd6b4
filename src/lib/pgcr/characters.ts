/**
 * One entry → one processed character (research raidhub.md §3.3).
 */
import type { ParsedEntry } from "./entries.ts"
import type { ProcessedCharacter } from "./types.ts"

export function buildCharacter(entry: ParsedEntry): ProcessedCharacter {
  return {
    characterId: entry.characterId,
    // 0 means Bungie hid it (private entry): null, so the character-fill worker looks it up.
    classHash: entry.classHash === 0 ? null : entry.classHash,
    emblemHash: entry.emblemHash === 0 ? null : entry.emblemHash,
    completed: entry.completed === 1,
    score: entry.score,
    kills: entry.kills,
    deaths: entry.deaths,
    assists: entry.assists,
    precisionKills: entry.precisionKills,
    superKills: entry.superKills,
    grenadeKills: entry.grenadeKills,
    meleeKills: entry.meleeKills,
    startSeconds: entry.startSeconds,
    timePlayedSeconds: entry.timePlayedSeconds,
    weapons: entry.weapons,
  }
}
