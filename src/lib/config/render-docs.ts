/**
 * The generated configuration documents: `.env.example` (every key of every section with its
 * default, type, description and flag) and `docs/configuration.md` (one table per section, then
 * each app's command line). `bun run tool config --write` rewrites both; a test fails on drift.
 */
import { APP_COMMANDS } from "./apps.ts"
import { type CommandSpec, runFlagNameOf } from "./command-spec.ts"
import { flagNameOf, keysOf, RETIRED_PREFIX, SECTION_NAMES, SECTIONS, specOf } from "./sections.ts"
import { describeType, renderDefault, type ValueSpec } from "./value-spec.ts"

export const REGENERATE_COMMAND = "bun run tool config --write"
export const ENV_EXAMPLE_PATH = ".env.example"
export const CONFIG_DOC_PATH = "docs/configuration.md"

export function renderEnvExample(): string {
  const lines = [
    "# RaidHub Services configuration, generated from src/lib/config/keys-*.ts:",
    `# \`${REGENERATE_COMMAND}\` rewrites this file and ${CONFIG_DOC_PATH}. Copy to .env and edit.`,
    "# An empty value means unset. Each key is also a flag of the apps that read it (flags win).",
  ]
  for (const section of SECTION_NAMES) {
    lines.push("", `# ==== ${SECTIONS[section].title} ====`)
    for (const key of keysOf(section)) {
      const spec = specOf(key)!
      const def = renderDefault(spec)
      lines.push("", `# ${spec.description}`, `# ${describeType(spec)}; default ${def === "" ? "unset" : def}; flag --${flagNameOf(key)}`)
      lines.push(`${key}=${def}`)
    }
  }
  return `${lines.join("\n")}\n`
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|")
}

function renderDefaultCell(spec: ValueSpec): string {
  if (spec.type === "boolean") return "off"
  const def = renderDefault(spec)
  return def === "" ? "(unset)" : `\`${def}\``
}

function renderCommand(command: CommandSpec): string[] {
  const reads = command.sections.map((s) => SECTIONS[s].title.replace(/ \(.*\)$/, "").toLowerCase()).join(" and ")
  const lines = [`### ${command.name}`, "", `\`${command.usage}\``, "", cell(command.summary), ""]
  lines.push(`Reads the ${reads} settings above; each is also a flag. Run flags (no environment key):`, "")
  lines.push("| flag | type | default | description |", "|---|---|---|---|")
  for (const [name, spec] of Object.entries(command.flags)) {
    lines.push(`| \`--${runFlagNameOf(name)}\` | ${cell(describeType(spec))} | ${renderDefaultCell(spec)} | ${cell(spec.description)} |`)
  }
  lines.push("| `-v`, `--verbose` | | | debug logs (LOG_LEVEL=debug) and stack traces on unexpected errors |")
  lines.push("| `-h`, `--help` | | | the generated help: every flag with its type, default and environment key |")
  return lines
}

export function renderConfigDoc(): string {
  const lines = [
    "# Configuration",
    "",
    `<!-- Generated from src/lib/config (keys-*.ts, apps.ts) by \`${REGENERATE_COMMAND}\`; a test fails when it drifts. Do not edit. -->`,
    "",
    "Every app and tool reads the shared settings; each long-running app also reads its own section, whose keys carry",
    "the section's prefix (`ATLAS_`, `HERMES_`, `ZEUS_`, `SCHEDULER_`). Sources, later wins: the defaults below, the",
    "environment (Bun also reads `.env`; `.env.example` lists every key), command-line flags. A key's flag is the key",
    "without its section prefix in kebab case (`ATLAS_MAX_CONCURRENCY` → `--max-concurrency`, `DATABASE_URL` →",
    "`--database-url`). An empty value means unset.",
    "",
    "A start refuses, listing every problem with its key and value: a malformed value, an unknown key under a section",
    `prefix, and the retired \`${RETIRED_PREFIX}*\` keys (each named with its replacement). \`BUNGIE_API_KEY\` is never printed`,
    "(`[REDACTED]`), URL passwords appear as `***`. Bad flags, bad settings, an unreachable service (after",
    "`SERVICE_WAIT_SECONDS` for the long-running apps, at once for tools) and a busy port end a program with one line",
    "naming the setting, and exit code 2.",
    "",
    "Tools and the benchmarks print their own flags: `bun run tool <name> --help`, `bun run bench --help`.",
  ]
  for (const section of SECTION_NAMES) {
    lines.push("", `## ${SECTIONS[section].title}`, "", "| key | flag | type | default | description |", "|---|---|---|---|---|")
    for (const key of keysOf(section)) {
      const spec = specOf(key)!
      lines.push(
        `| \`${key}\` | \`--${flagNameOf(key)}\` | ${cell(describeType(spec))} | ${renderDefaultCell(spec)} | ${cell(spec.description)} |`,
      )
    }
  }
  lines.push("", "## Command lines")
  for (const command of APP_COMMANDS) lines.push("", ...renderCommand(command))
  return `${lines.join("\n")}\n`
}
