/**
 * --help, generated from the command spec and the section tables: usage line, summary, then
 * every flag with its type, default and environment key. Nothing here is written by hand, so the
 * help cannot drift from what the parser accepts.
 */
import { type CommandSpec, runFlagNameOf } from "../config/command-spec.ts"
import { flagNameOf, keysOf, SECTIONS, specOf } from "../config/sections.ts"
import { describeMetavar, describeType, renderDefault, type ValueSpec } from "../config/value-spec.ts"

const WIDTH = 100
const INDENT = "      "

/** Greedy word wrap; words longer than the width stay whole. */
function wrapText(text: string, width: number, indent = ""): string[] {
  const lines: string[] = []
  for (const paragraph of text.split("\n")) {
    let line = ""
    for (const word of paragraph.split(/\s+/).filter((w) => w.length > 0)) {
      if (line !== "" && indent.length + line.length + 1 + word.length > width) {
        lines.push(indent + line)
        line = word
      } else line = line === "" ? word : `${line} ${word}`
    }
    lines.push(indent + line)
  }
  return lines
}

function renderFlag(flag: string, spec: ValueSpec, envKey: string | null): string[] {
  const metavar = describeMetavar(spec)
  const def = renderDefault(spec)
  const facts =
    spec.type === "boolean"
      ? [spec.default ? "on by default" : "off by default"]
      : [describeType(spec), def === "" ? "unset by default" : `default ${def}`]
  if (envKey) facts.push(`env ${envKey}`)
  return [
    `  --${flag}${metavar ? ` ${metavar}` : ""}`,
    ...wrapText(spec.description, WIDTH, INDENT),
    ...wrapText(facts.join("; "), WIDTH, INDENT),
  ]
}

export function renderHelp(command: CommandSpec): string {
  const parts: string[] = [`Usage: ${command.usage}`, "", ...wrapText(command.summary, WIDTH)]
  if (command.positionals) {
    parts.push("", "Arguments:", `  <${command.positionals.name}>`, ...wrapText(command.positionals.description, WIDTH, INDENT))
  }
  const runFlags = Object.entries(command.flags)
  if (runFlags.length > 0) {
    parts.push("", "Flags:")
    for (const [name, spec] of runFlags) parts.push(...renderFlag(runFlagNameOf(name), spec, null))
  }
  // The app's own section first: it is what people tune; shared settings last.
  const sections = [...command.sections].sort((a, b) => (a === "shared" ? 1 : 0) - (b === "shared" ? 1 : 0))
  for (const section of sections) {
    parts.push("", `${SECTIONS[section].title} settings (flag or environment key; flags win):`)
    for (const key of keysOf(section)) parts.push(...renderFlag(flagNameOf(key), specOf(key)!, key))
  }
  parts.push(
    "",
    "  -v, --verbose",
    ...wrapText(
      `${command.sections.includes("shared") ? "debug logs (LOG_LEVEL=debug) and " : ""}stack traces on unexpected errors`,
      WIDTH,
      INDENT,
    ),
    "  -h, --help",
    `${INDENT}this text`,
  )
  if (command.notes) parts.push("", ...command.notes.split("\n"))
  return parts.join("\n")
}
