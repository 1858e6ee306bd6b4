/**
 * The tools `bun run tool` knows. Each entry names its module and says what it does in one line;
 * modules load lazily, so `--help` and small tools never pull in database drivers they do not use.
 * registry.test.ts checks that every module's own name and description match this table.
 */
import type { Tool } from "./tool.ts"

export interface ToolEntry {
  name: string
  description: string
  load(): Promise<Tool>
}

export const TOOLS: readonly ToolEntry[] = [
  {
    name: "migrate",
    description: "Apply Postgres and ClickHouse migrations, views and seeds (same as `bun run migrate`).",
    load: async () => {
      // migrate.ts predates this runner and exposes runMigrateTool; adapt it to the Tool contract.
      const m = await import("./migrate.ts")
      return {
        name: "migrate",
        description: "Apply Postgres and ClickHouse migrations, views and seeds (same as `bun run migrate`).",
        usage: m.MIGRATE_HELP,
        run: (argv, io) => m.runMigrateTool(argv, io.env, io.out, io.err),
      }
    },
  },
  {
    name: "dead-letters",
    description: "List the messages parked in <queue>.dead with their reasons; --requeue moves them back.",
    load: async () => (await import("./dead-letters.ts")).tool,
  },
  {
    name: "process-single-pgcr",
    description: "Fetch or read one PGCR, process it, and store it (or print it with --dry-run).",
    load: async () => (await import("./process-single-pgcr.ts")).tool,
  },
]

export function findTool(name: string): ToolEntry | undefined {
  return TOOLS.find((t) => t.name === name)
}
