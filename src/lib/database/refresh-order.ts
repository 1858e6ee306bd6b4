/**
 * The order materialized views are refreshed in (pure): a view after every view it reads, and
 * among views free to go, the `cache` schema first (the leaderboards' inputs), then by name, so
 * the order is stable from run to run.
 */

export interface MaterializedViewNode {
  /** Qualified name, `schema.view`. */
  name: string
  schema: string
  /** Qualified names of the materialized views this one reads. */
  dependsOn: readonly string[]
}

function compareForRefresh(a: MaterializedViewNode, b: MaterializedViewNode): number {
  const rank = (v: MaterializedViewNode) => (v.schema === "cache" ? 0 : 1)
  return rank(a) - rank(b) || a.name.localeCompare(b.name)
}

/** Views in refresh order; throws on a dependency cycle (Postgres cannot create one). */
export function orderForRefresh<T extends MaterializedViewNode>(views: readonly T[]): T[] {
  const byName = new Map(views.map((v) => [v.name, v]))
  const waitingOn = new Map<string, number>()
  const dependents = new Map<string, string[]>()
  for (const view of views) {
    const inputs = [...new Set(view.dependsOn)].filter((d) => d !== view.name && byName.has(d))
    waitingOn.set(view.name, inputs.length)
    for (const input of inputs) dependents.set(input, [...(dependents.get(input) ?? []), view.name])
  }
  const ready = views.filter((v) => waitingOn.get(v.name) === 0)
  const ordered: T[] = []
  while (ready.length > 0) {
    ready.sort(compareForRefresh)
    const next = ready.shift()!
    ordered.push(next)
    for (const dependent of dependents.get(next.name) ?? []) {
      const left = waitingOn.get(dependent)! - 1
      waitingOn.set(dependent, left)
      if (left === 0) ready.push(byName.get(dependent)!)
    }
  }
  if (ordered.length !== views.length) {
    const stuck = views.filter((v) => !ordered.includes(v)).map((v) => v.name)
    throw new Error(`materialized views depend on each other in a cycle: ${stuck.join(", ")}`)
  }
  return ordered
}
