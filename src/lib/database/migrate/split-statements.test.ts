import { describe, expect, test } from "bun:test"
import { splitSqlStatements } from "./split-statements.ts"

describe("splitSqlStatements", () => {
  test("splits on top-level semicolons and drops empty/comment-only statements", () => {
    const sql = "-- header; not a split\nCREATE TABLE a (x Int8);\n\n/* block ; */\nCREATE TABLE b (y Int8)  ;\n-- trailing;\n"
    expect(splitSqlStatements(sql, "clickhouse")).toEqual([
      "-- header; not a split\nCREATE TABLE a (x Int8)",
      "/* block ; */\nCREATE TABLE b (y Int8)",
    ])
  })

  test("ignores semicolons in strings and quoted identifiers", () => {
    const ch = "INSERT INTO t VALUES ('a;b', 'it\\'s;'); SELECT `we;ird`, \"x;y\" FROM t"
    expect(splitSqlStatements(ch, "clickhouse")).toEqual(["INSERT INTO t VALUES ('a;b', 'it\\'s;')", 'SELECT `we;ird`, "x;y" FROM t'])
    const pg = "SELECT 'it''s; fine'; SELECT E'a\\'; b'; SELECT \"c;d\""
    expect(splitSqlStatements(pg, "postgres")).toEqual(["SELECT 'it''s; fine'", "SELECT E'a\\'; b'", 'SELECT "c;d"'])
  })

  test("keeps Postgres dollar-quoted bodies whole and handles nested block comments", () => {
    const pg =
      "CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN RETURN 1; END; $fn$ LANGUAGE plpgsql; /* a /* b; */ c; */ SELECT $$x;y$$; SELECT $1"
    expect(splitSqlStatements(pg, "postgres")).toEqual([
      "CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN RETURN 1; END; $fn$ LANGUAGE plpgsql",
      "/* a /* b; */ c; */ SELECT $$x;y$$",
      "SELECT $1",
    ])
  })

  test("ClickHouse hash comments", () => {
    expect(splitSqlStatements("# note; here\nSELECT 1;", "clickhouse")).toEqual(["# note; here\nSELECT 1"])
  })
})
