/**
 * Every flag a command accepts, each mapped to what it sets: a config key of one of its
 * sections, one of its run flags, or the two flags every command has (-h/--help, -v/--verbose).
 */
import { type CommandSpec, runFlagNameOf } from "../config/command-spec.ts"
import { type ConfigKey, flagNameOf, keysOf, specOf } from "../config/sections.ts"
import type { ValueSpec } from "../config/value-spec.ts"

export type FlagTarget =
  | { kind: "config"; key: ConfigKey; spec: ValueSpec }
  | { kind: "run"; name: string; spec: ValueSpec }
  | { kind: "help" }
  | { kind: "verbose" }

/** Flags by name (without dashes). Throws when two targets claim one flag: a bug in a spec. */
export function buildFlagTable(command: CommandSpec): Map<string, FlagTarget> {
  const table = new Map<string, FlagTarget>([
    ["help", { kind: "help" }],
    ["verbose", { kind: "verbose" }],
  ])
  const add = (flag: string, target: FlagTarget) => {
    if (table.has(flag)) throw new Error(`${command.name}: flag --${flag} is defined twice`)
    table.set(flag, target)
  }
  for (const section of command.sections) {
    for (const key of keysOf(section)) add(flagNameOf(key), { kind: "config", key, spec: specOf(key)! })
  }
  for (const [name, spec] of Object.entries(command.flags)) add(runFlagNameOf(name), { kind: "run", name, spec })
  return table
}
