/**
 * Splits a SQL script into statements on top-level `;`, ignoring semicolons inside string
 * literals, quoted identifiers, comments and (Postgres) dollar-quoted bodies. Statements that
 * hold only comments/whitespace are dropped. Used for ClickHouse files (its HTTP interface runs
 * one statement per request) and for Postgres files that opt out of the transaction.
 */

export type SqlDialect = "postgres" | "clickhouse"

export function splitSqlStatements(script: string, dialect: SqlDialect): string[] {
  const statements: string[] = []
  let start = 0
  let i = 0
  let hasCode = false
  const n = script.length

  const push = (end: number) => {
    const text = script.slice(start, end).trim()
    if (hasCode && text) statements.push(text)
    hasCode = false
  }

  while (i < n) {
    const ch = script[i]!
    const next = script[i + 1]
    if (ch === "-" && next === "-") {
      i = skipLineComment(script, i)
      continue
    }
    if (dialect === "clickhouse" && ch === "#" && (next === " " || next === "!")) {
      i = skipLineComment(script, i)
      continue
    }
    if (ch === "/" && next === "*") {
      i = skipBlockComment(script, i, dialect === "postgres")
      continue
    }
    if (ch === "'") {
      // Postgres standard strings only escape by doubling; E'' strings and ClickHouse also use backslash.
      const backslash = dialect === "clickhouse" || (i > 0 && /[eE]/.test(script[i - 1]!) && !/[A-Za-z0-9_]/.test(script[i - 2] ?? ""))
      i = skipQuoted(script, i, "'", backslash)
      hasCode = true
      continue
    }
    if (ch === '"' || (dialect === "clickhouse" && ch === "`")) {
      i = skipQuoted(script, i, ch, dialect === "clickhouse")
      hasCode = true
      continue
    }
    if (dialect === "postgres" && ch === "$") {
      const tag = matchDollarTag(script, i)
      if (tag) {
        const close = script.indexOf(tag, i + tag.length)
        i = close === -1 ? n : close + tag.length
        hasCode = true
        continue
      }
    }
    if (ch === ";") {
      push(i)
      start = i + 1
      i++
      continue
    }
    if (!/\s/.test(ch)) hasCode = true
    i++
  }
  push(n)
  return statements
}

function skipLineComment(s: string, i: number): number {
  const end = s.indexOf("\n", i)
  return end === -1 ? s.length : end + 1
}

function skipBlockComment(s: string, i: number, nested: boolean): number {
  let depth = 0
  while (i < s.length) {
    if (s[i] === "/" && s[i + 1] === "*") {
      if (depth === 0 || nested) depth++
      i += 2
    } else if (s[i] === "*" && s[i + 1] === "/") {
      depth--
      i += 2
      if (depth === 0) return i
    } else {
      i++
    }
  }
  return s.length
}

function skipQuoted(s: string, i: number, quote: string, backslash: boolean): number {
  i++
  while (i < s.length) {
    const ch = s[i]
    if (backslash && ch === "\\") {
      i += 2
      continue
    }
    if (ch === quote) {
      if (s[i + 1] === quote) {
        i += 2
        continue
      }
      return i + 1
    }
    i++
  }
  return s.length
}

/** Returns `$tag$` starting at i, or null (a `$1` parameter or an identifier's `$` is not a tag). */
function matchDollarTag(s: string, i: number): string | null {
  if (i > 0 && /[A-Za-z0-9_]/.test(s[i - 1]!)) return null
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(s.slice(i, i + 64))
  return m ? m[0] : null
}
