/**
 * `bun run tool config [--write | --check]`: the effective configuration of every section
 * (secrets redacted), or the generated documents: `.env.example` and `docs/configuration.md`
 * (--write rewrites them, --check exits 1 when either drifted from the tables).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { loadConfig } from "../lib/config/load-config.ts"
import { describeConfig } from "../lib/config/redact.ts"
import { CONFIG_DOC_PATH, ENV_EXAMPLE_PATH, REGENERATE_COMMAND, renderConfigDoc, renderEnvExample } from "../lib/config/render-docs.ts"
import { SECTION_NAMES } from "../lib/config/sections.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "config"
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url))

const CONFIG_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--write | --check]`,
  summary:
    "Prints the effective configuration of every section from the environment (secrets redacted, URL passwords masked), " +
    "or regenerates .env.example and docs/configuration.md from the section tables.",
  sections: [],
  flags: {
    write: { type: "boolean", default: false, description: "Rewrite .env.example and docs/configuration.md." },
    check: { type: "boolean", default: false, description: "Exit 1 when .env.example or docs/configuration.md differ from the tables." },
  },
} as const satisfies CommandSpec

/** The generated documents by path relative to the repository root. */
function renderGeneratedFiles(): Record<string, string> {
  return { [ENV_EXAMPLE_PATH]: renderEnvExample(), [CONFIG_DOC_PATH]: renderConfigDoc() }
}

async function runConfig({ flags }: CommandLine<typeof CONFIG_COMMAND>, io: ToolIo, root: string): Promise<number> {
  if (flags.write && flags.check) throw new UsageError("--write and --check exclude each other")
  if (!flags.write && !flags.check) {
    io.out(JSON.stringify(describeConfig(loadConfig(SECTION_NAMES, io.env)), null, 2))
    return 0
  }
  let drifted = 0
  for (const [path, text] of Object.entries(renderGeneratedFiles())) {
    const file = join(root, path)
    const current = existsSync(file) ? readFileSync(file, "utf8") : null
    if (current === text) continue
    if (flags.write) {
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(file, text)
      io.out(`wrote ${path}`)
    } else {
      drifted++
      io.err(`${NAME}: ${path} differs from the config tables; run \`${REGENERATE_COMMAND}\``)
    }
  }
  return drifted === 0 ? 0 : 1
}

/** Runs the tool against a repository root (tests use a temporary directory). */
export function runConfigTool(argv: readonly string[], io: ToolIo, root = REPO_ROOT): Promise<number> {
  return runCommand(CONFIG_COMMAND, (cli) => runConfig(cli, io, root), toCommandIo(argv, io))
}

export const tool: Tool = {
  name: NAME,
  description: "Print the effective configuration, or regenerate .env.example and docs/configuration.md (--write).",
  usage: renderHelp(CONFIG_COMMAND),
  run: (argv, io) => runConfigTool(argv, io),
}
