/**
 * The command line of an app, tool or the bench, as data: which config sections it reads (each
 * key is also a flag), its run flags (flags with no environment key, e.g. atlas --from), and its
 * positional arguments. src/lib/cli parses argv against it and generates --help from it; the
 * docs generator renders the apps' run flags from it.
 */
import type { SectionName } from "./sections.ts"
import type { ValueOf, ValueSpec } from "./value-spec.ts"

export interface PositionalSpec {
  /** Shown in the usage line, e.g. "scenario". */
  name: string
  description: string
  /** Most positionals accepted. */
  max: number
}

export interface CommandSpec {
  /** Prefix of every message: `atlas: port 8080 is in use ...`. */
  name: string
  /** The usage line, e.g. "bun run atlas [flags]". */
  usage: string
  /** What the command does, a few sentences. */
  summary: string
  /** Config sections read (their keys are flags too); [] for none. */
  sections: readonly SectionName[]
  /** Run flags by camelCase name; the flag is its kebab case (`simSeed` → --sim-seed). */
  flags: Readonly<Record<string, ValueSpec>>
  /** Without it, a positional argument is a usage error. */
  positionals?: PositionalSpec
  /** Appended to --help (examples, lists that are not flags). */
  notes?: string
}

/** Typed run-flag values of a command spec written `as const`. */
export type FlagsOf<C extends CommandSpec> = { readonly [K in keyof C["flags"]]: ValueOf<C["flags"][K]> }

/** `simSeed` → `sim-seed`, `target404Share` → `target-404-share`. */
export function runFlagNameOf(name: string): string {
  return name
    .replace(/([a-z])([A-Z0-9])/g, "$1-$2")
    .replace(/([0-9])([A-Za-z])/g, "$1-$2")
    .toLowerCase()
}
