/**
 * Atlas's command line: the spec (src/lib/config/apps.ts: shared + atlas settings as flags, and
 * the run flags --from, --to, --sim, --sim-seed, --sim-scenario, --crawler) parsed by the one
 * parser in src/lib/cli, plus the checks between flags that no single flag's type can express.
 */
import type { CommandLine } from "../../lib/cli/parse-command-line.ts"
import { UsageError } from "../../lib/cli/usage-error.ts"
import { ATLAS_COMMAND } from "../../lib/config/apps.ts"

export { ATLAS_COMMAND }
export type AtlasCommandLine = CommandLine<typeof ATLAS_COMMAND>
export type AtlasFlags = AtlasCommandLine["flags"]

/** Throws UsageError when the run flags contradict each other. */
export function checkAtlasFlags(flags: AtlasFlags): void {
  if (flags.to !== null && flags.from === null) throw new UsageError(`--to ${flags.to}: a bounded backfill needs --from as well`)
  if (flags.to !== null && flags.from !== null && flags.to < flags.from)
    throw new UsageError(`--to ${flags.to} is below --from ${flags.from}`)
}
