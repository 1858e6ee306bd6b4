/** Reads the provisioned Grafana dashboards and their queries (ops/grafana/dashboards/*.json). */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

export interface Dashboard {
  file: string
  uid: string
  title: string
  description: string
  json: DashboardJson
}

export interface DashboardQuery {
  file: string
  /** Panel title, or "variable <name>". */
  where: string
  /** Datasource uid (prometheus, loki ...). */
  datasource: string
  expr: string
}

interface Datasource {
  type?: string
  uid?: string
}
interface Target {
  expr?: string
  datasource?: Datasource
}
export interface Panel {
  title?: string
  type?: string
  description?: string
  datasource?: Datasource
  targets?: Target[]
  panels?: Panel[]
}
interface Variable {
  name: string
  type: string
  datasource?: Datasource
  query?: string | { query?: string }
}
interface DashboardJson {
  uid?: string
  title?: string
  description?: string
  panels?: Panel[]
  templating?: { list?: Variable[] }
}

export function readDashboards(dir: string): Dashboard[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(join(dir, file), "utf8")) as DashboardJson
      return { file, uid: json.uid ?? "", title: json.title ?? "", description: json.description ?? "", json }
    })
}

/** Every panel, rows' children included. */
export function listPanels(d: Dashboard): Panel[] {
  const walk = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...walk(p.panels ?? [])])
  return walk(d.json.panels ?? [])
}

export function listQueries(d: Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = []
  for (const panel of listPanels(d)) {
    for (const target of panel.targets ?? []) {
      if (typeof target.expr !== "string") continue
      const datasource = target.datasource?.uid ?? panel.datasource?.uid ?? "(none)"
      out.push({ file: d.file, where: panel.title ?? "(untitled)", datasource, expr: target.expr })
    }
  }
  for (const variable of d.json.templating?.list ?? []) {
    if (variable.type !== "query") continue
    const query = typeof variable.query === "string" ? variable.query : variable.query?.query
    if (typeof query !== "string") continue
    out.push({ file: d.file, where: `variable ${variable.name}`, datasource: variable.datasource?.uid ?? "(none)", expr: query })
  }
  return out
}
