/** Reads Prometheus text exposition (what /metrics serves) into families with their samples. */

export interface ExposedSample {
  name: string
  labels: Record<string, string>
  value: string
}

export interface ExposedFamily {
  name: string
  type: string
  samples: ExposedSample[]
  /** Label names seen on any sample. */
  labelNames: Set<string>
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g
const SUFFIXES = ["_bucket", "_sum", "_count"]

export function parseExposition(text: string): ExposedFamily[] {
  const families = new Map<string, ExposedFamily>()
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line)
    if (type) {
      families.set(type[1]!, { name: type[1]!, type: type[2]!, samples: [], labelNames: new Set() })
      continue
    }
    if (line.startsWith("#") || line.trim() === "") continue
    const m = SAMPLE.exec(line)
    if (!m) throw new Error(`not an exposition line: ${line}`)
    const name = m[1]!
    const labels: Record<string, string> = {}
    for (const l of (m[3] ?? "").matchAll(LABEL)) labels[l[1]!] = l[2]!
    const family =
      families.get(name) ?? families.get(SUFFIXES.filter((s) => name.endsWith(s)).map((s) => name.slice(0, -s.length))[0] ?? "") ?? null
    if (!family) throw new Error(`sample without a # TYPE line: ${line}`)
    family.samples.push({ name, labels, value: m[4]! })
    for (const key of Object.keys(labels)) family.labelNames.add(key)
  }
  return [...families.values()]
}
