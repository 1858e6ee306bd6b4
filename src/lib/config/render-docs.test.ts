/**
 * The generated documents must match the tables. On failure, regenerate them with
 * `bun run tool config --write` (REGENERATE_COMMAND) and commit the result.
 */
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { APP_COMMANDS } from "./apps.ts"
import { runFlagNameOf } from "./command-spec.ts"
import { loadConfig } from "./load-config.ts"
import { CONFIG_DOC_PATH, ENV_EXAMPLE_PATH, REGENERATE_COMMAND, renderConfigDoc, renderEnvExample } from "./render-docs.ts"
import { flagNameOf, keysOf, SECTION_NAMES, specOf } from "./sections.ts"
import { renderDefault } from "./value-spec.ts"

const readRepoFile = (path: string) => readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), "utf8")

describe("generated documents", () => {
  test(`${ENV_EXAMPLE_PATH} matches the tables (regenerate: ${REGENERATE_COMMAND})`, () => {
    expect(readRepoFile(ENV_EXAMPLE_PATH)).toBe(renderEnvExample())
  })

  test(`${CONFIG_DOC_PATH} matches the tables (regenerate: ${REGENERATE_COMMAND})`, () => {
    expect(readRepoFile(CONFIG_DOC_PATH)).toBe(renderConfigDoc())
  })

  test("every key appears with its default and flag in both; every app's run flags in the doc", () => {
    const example = renderEnvExample()
    const doc = renderConfigDoc()
    for (const section of SECTION_NAMES) {
      for (const key of keysOf(section)) {
        expect(example).toContain(`\n${key}=${renderDefault(specOf(key)!)}\n`)
        expect(example).toContain(`flag --${flagNameOf(key)}\n${key}=`)
        expect(doc).toContain(`| \`${key}\` | \`--${flagNameOf(key)}\` |`)
      }
    }
    for (const command of APP_COMMANDS) {
      expect(doc).toContain(`### ${command.name}\n\n\`${command.usage}\``)
      for (const name of Object.keys(command.flags)) expect(doc).toContain(`| \`--${runFlagNameOf(name)}\` |`)
    }
  })

  test("the example file loads cleanly", () => {
    const env = Object.fromEntries(
      renderEnvExample()
        .split("\n")
        .filter((l) => /^[A-Z0-9_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    )
    expect(Object.keys(env).length).toBe(SECTION_NAMES.flatMap((s) => keysOf(s)).length)
    expect(() => loadConfig(SECTION_NAMES, env)).not.toThrow()
  })
})
