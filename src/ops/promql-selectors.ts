/**
 * The series a PromQL expression reads: every vector selector's metric name with the label names
 * its matchers use. Enough of PromQL's lexical grammar to tell a metric name from a function,
 * an aggregation's label list, a keyword, a duration or a Grafana variable; no evaluation. Used
 * to check dashboards and alert rules against the metric tables the apps export.
 */

export interface Selector {
  metric: string
  /** Label names of the selector's matchers ({a="x", b=~"y"} → a, b). */
  labels: string[]
}

/** Words that are not metric names where an identifier stands (case-insensitive). */
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "start", "end", "group_left", "group_right"])
/** Keywords followed by a parenthesised label list. */
const LABEL_LIST_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"])

const IDENT = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const DURATION = /^\d+(ms|[smhdwy])(\d+(ms|[smhdwy]))*/
const NUMBER = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/
const GRAFANA_VARIABLE = /^\$(\{[^}]*\}|[a-zA-Z0-9_]+)/

export class PromqlSyntaxError extends Error {}

/** Every selector of `expr`, in order of appearance. */
export function listSelectors(expr: string): Selector[] {
  const out: Selector[] = []
  let i = 0
  const rest = () => expr.slice(i)
  const skipSpace = () => {
    for (;;) {
      const m = /^\s+/.exec(rest())
      if (m) i += m[0].length
      else if (expr[i] === "#") {
        const nl = expr.indexOf("\n", i)
        i = nl === -1 ? expr.length : nl + 1
      } else return
    }
  }
  const skipString = () => {
    const quote = expr[i]!
    i++
    while (i < expr.length && expr[i] !== quote) i += expr[i] === "\\" && quote !== "`" ? 2 : 1
    if (i >= expr.length) throw new PromqlSyntaxError(`unterminated string in ${JSON.stringify(expr)}`)
    i++
  }
  const skipBalanced = (open: string, close: string) => {
    let depth = 0
    do {
      const c = expr[i]
      if (c === undefined) throw new PromqlSyntaxError(`unbalanced ${open}${close} in ${JSON.stringify(expr)}`)
      if (c === '"' || c === "'" || c === "`") {
        skipString()
        continue
      }
      if (c === open) depth++
      else if (c === close) depth--
      i++
    } while (depth > 0)
  }
  const readMatchers = (): string[] => {
    const labels: string[] = []
    i++ // {
    for (;;) {
      skipSpace()
      if (expr[i] === "}") {
        i++
        return labels
      }
      if (expr[i] === '"' || expr[i] === "'") {
        // Prometheus 3 quoted metric/label names; a bare string is a metric name matcher.
        skipString()
      } else {
        const name = IDENT.exec(rest())
        if (!name) throw new PromqlSyntaxError(`bad label matcher at ${JSON.stringify(rest().slice(0, 30))}`)
        i += name[0].length
        skipSpace()
        const op = /^(=~|!~|!=|=)/.exec(rest())
        if (!op) throw new PromqlSyntaxError(`bad matcher operator at ${JSON.stringify(rest().slice(0, 30))}`)
        i += op[0].length
        skipSpace()
        if (expr[i] !== '"' && expr[i] !== "'" && expr[i] !== "`") throw new PromqlSyntaxError(`label ${name[0]}: value must be a string`)
        skipString()
        labels.push(name[0])
      }
      skipSpace()
      if (expr[i] === ",") i++
    }
  }

  while (i < expr.length) {
    skipSpace()
    if (i >= expr.length) break
    const c = expr[i]!
    if (c === '"' || c === "'" || c === "`") {
      skipString()
      continue
    }
    if (c === "[") {
      skipBalanced("[", "]")
      continue
    }
    if (c === "{") {
      // A selector without a metric name ({__name__="x"} or {job="y"}): nothing to check by name.
      readMatchers()
      continue
    }
    const variable = GRAFANA_VARIABLE.exec(rest())
    if (variable) {
      i += variable[0].length
      continue
    }
    const duration = DURATION.exec(rest())
    if (duration) {
      i += duration[0].length
      continue
    }
    const number = NUMBER.exec(rest())
    if (number) {
      i += number[0].length
      continue
    }
    const ident = IDENT.exec(rest())
    if (ident) {
      const word = ident[0]
      i += word.length
      const lower = word.toLowerCase()
      skipSpace()
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (expr[i] === "(") skipBalanced("(", ")")
        continue
      }
      if (KEYWORDS.has(lower)) continue
      if (expr[i] === "(") continue // a function or an aggregation
      if (/^(by|without)\s*\(/i.test(rest())) continue // an aggregation with its label list first: sum by (le) (...)
      const selector: Selector = { metric: word, labels: [] }
      if (expr[i] === "{") selector.labels = readMatchers()
      out.push(selector)
      continue
    }
    i++ // an operator, a comma, a parenthesis
  }
  return out
}

/**
 * Grafana's `label_values(selector, label)` / `label_values(label)` variable query: the selectors
 * and the label it reads; null when `query` is not one.
 */
export function readLabelValuesQuery(query: string): { selectors: Selector[]; label: string } | null {
  const m = /^\s*label_values\s*\(([\s\S]*)\)\s*$/.exec(query)
  if (!m) return null
  const args = m[1]!
  const comma = args.lastIndexOf(",")
  if (comma === -1) return { selectors: [], label: args.trim() }
  return { selectors: listSelectors(args.slice(0, comma)), label: args.slice(comma + 1).trim() }
}
