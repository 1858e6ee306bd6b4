/**
 * `bun run tool <name> [args]`: the tool dispatcher. `bun run tool --help` lists the tools;
 * `bun run tool <name> --help` shows one tool's generated usage.
 * Exit codes: the tool's own (0 ok, 1 failure, 2 bad usage, configuration or unreachable service);
 * 2 for an unknown tool.
 */
import { runMain, runUnparsed } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import { findTool, TOOLS } from "./registry.ts"
import { createProcessIo, type ToolIo, toCommandIo } from "./tool.ts"

export function renderToolList(): string {
  const width = Math.max(...TOOLS.map((t) => t.name.length))
  return [
    "Usage: bun run tool <name> [args]     (bun run tool <name> --help for a tool's usage)",
    "",
    "Tools:",
    ...TOOLS.map((t) => `  ${t.name.padEnd(width)}  ${t.description}`),
  ].join("\n")
}

export function runToolMain(argv: readonly string[], io: ToolIo): Promise<number> {
  return runUnparsed(
    "tool",
    async () => {
      const [name, ...rest] = argv
      if (name === undefined || name === "--help" || name === "-h" || name === "help") {
        io.out(renderToolList())
        return name === undefined ? 2 : 0
      }
      const entry = findTool(name)
      if (!entry) throw new UsageError(`unknown tool ${JSON.stringify(name)} (known: ${TOOLS.map((t) => t.name).join(", ")})`)
      const tool = await entry.load()
      return tool.run(rest, io)
    },
    toCommandIo(argv, io),
  )
}

if (import.meta.main) {
  await runMain("tool", () => runToolMain(process.argv.slice(2), createProcessIo()))
}
