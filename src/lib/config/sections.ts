/**
 * The configuration sections: one shared by every app and tool, one per app. A key belongs to
 * exactly one section and carries its section's prefix (shared keys have none); its flag is the
 * key without that prefix, in kebab case (ATLAS_MAX_CONCURRENCY → --max-concurrency,
 * DATABASE_URL → --database-url). To add a setting, add one entry to its section's table.
 */
import { ATLAS_KEYS } from "./keys-atlas.ts"
import { HERMES_KEYS } from "./keys-hermes.ts"
import { RELAY_KEYS } from "./keys-relay.ts"
import { SCHEDULER_KEYS } from "./keys-scheduler.ts"
import { SHARED_KEYS } from "./keys-shared.ts"
import { ZEUS_KEYS } from "./keys-zeus.ts"
import type { ValueOf, ValueSpec } from "./value-spec.ts"

export interface Section {
  /** Heading in --help, .env.example and docs/configuration.md. */
  title: string
  /** Every key of the section starts with it; unknown keys under it are errors. "" for shared. */
  prefix: string
  keys: Readonly<Record<string, ValueSpec>>
}

export const SECTIONS = {
  shared: { title: "Shared (every app and tool)", prefix: "", keys: SHARED_KEYS },
  atlas: { title: "Atlas (PGCR crawler)", prefix: "ATLAS_", keys: ATLAS_KEYS },
  hermes: { title: "Hermes (queue workers)", prefix: "HERMES_", keys: HERMES_KEYS },
  zeus: { title: "Zeus (Bungie egress proxy)", prefix: "ZEUS_", keys: ZEUS_KEYS },
  scheduler: { title: "Scheduler (jobs)", prefix: "SCHEDULER_", keys: SCHEDULER_KEYS },
  relay: { title: "Relay (standalone outbox relay)", prefix: "RELAY_", keys: RELAY_KEYS },
} as const satisfies Record<string, Section>

export type SectionName = keyof typeof SECTIONS
export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[]

type AllSpecs = typeof SHARED_KEYS & typeof ATLAS_KEYS & typeof HERMES_KEYS & typeof ZEUS_KEYS & typeof SCHEDULER_KEYS & typeof RELAY_KEYS
export type ConfigKey = keyof AllSpecs
// Distributes over N: the keys of every section named, not only those they share.
type KeysOf<N extends SectionName> = N extends SectionName ? keyof (typeof SECTIONS)[N]["keys"] & ConfigKey : never

/** The typed, frozen configuration of an app reading sections N. */
export type ConfigOf<N extends SectionName> = { readonly [K in KeysOf<N>]: ValueOf<AllSpecs[K]> }
/** Every section at once (the config tool, docs). */
export type Config = ConfigOf<SectionName>

/** Keys of the old flat table, refused with the name that replaced them. */
export const RETIRED_KEYS: Readonly<Record<string, ConfigKey>> = {
  RAIDHUB_FETCHERS: "ATLAS_FETCHERS",
  RAIDHUB_MAX_CONCURRENCY: "ATLAS_MAX_CONCURRENCY",
  RAIDHUB_SOURCE_ADDRESSES: "ATLAS_SOURCE_ADDRESSES",
  RAIDHUB_BATCH_SIZE: "ATLAS_BATCH_SIZE",
  RAIDHUB_BATCH_MAX_MS: "ATLAS_BATCH_MAX_MS",
  RAIDHUB_TARGET_404_SHARE: "ATLAS_TARGET_404_SHARE",
}
export const RETIRED_PREFIX = "RAIDHUB_"

const SECTION_OF = new Map<string, SectionName>()
for (const name of SECTION_NAMES) {
  const section: Section = SECTIONS[name]
  for (const key of Object.keys(section.keys)) {
    if (SECTION_OF.has(key)) throw new Error(`config key ${key} is in two sections`)
    if (!key.startsWith(section.prefix)) throw new Error(`config key ${key} lacks its section's prefix ${section.prefix}`)
    SECTION_OF.set(key, name)
  }
}

export function sectionOf(key: string): SectionName | undefined {
  return SECTION_OF.get(key)
}

export function specOf(key: string): ValueSpec | undefined {
  const name = SECTION_OF.get(key)
  return name === undefined ? undefined : (SECTIONS[name] as Section).keys[key]
}

/** Every key of a section, in table order. */
export function keysOf(name: SectionName): ConfigKey[] {
  return Object.keys(SECTIONS[name].keys) as ConfigKey[]
}

/** The flag of a key: the key without its section's prefix, in kebab case. */
export function flagNameOf(key: string): string {
  const name = SECTION_OF.get(key)
  const prefix = name === undefined ? "" : SECTIONS[name].prefix
  return key.slice(prefix.length).toLowerCase().replace(/_/g, "-")
}
