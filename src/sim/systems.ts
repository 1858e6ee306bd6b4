// Per-system availability, as `/Platform/Settings/` reports it in `systems.<Name>.enabled`.
// Names are Bungie's (research/raidhub.md §2.6: Destiny2, D2Profiles, Activities, D2Characters,
// Groups, Clans); an endpoint behind a disabled system answers 5 SystemDisabled. Maintenance
// turns every Destiny system off and leaves the Bungie.net ones (Groups, Clans, ...) on.
import { SYSTEM_NAMES } from "./options.ts"

export type SystemName = (typeof SYSTEM_NAMES)[number]

const DESTINY_SYSTEMS: ReadonlySet<string> = new Set(["Destiny2", "D2Profiles", "Activities", "D2Characters", "D2Vendors", "D2Items"])

export function isSystemName(name: string): name is SystemName {
  return (SYSTEM_NAMES as readonly string[]).includes(name)
}

export function isSystemEnabled(systems: Record<string, boolean>, maintenance: boolean, name: string): boolean {
  if (maintenance && DESTINY_SYSTEMS.has(name)) return false
  return systems[name] !== false
}

/** The first system of `required` that is off, or null when all are on. */
export function firstDisabled(systems: Record<string, boolean>, maintenance: boolean, required: readonly string[]): string | null {
  for (const name of required) if (!isSystemEnabled(systems, maintenance, name)) return name
  return null
}
