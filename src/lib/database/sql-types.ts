/**
 * Loose porsager types for code that must work with any pool configuration (int8 as string, the
 * default, or as bigint, as `createSql` configures it). Such code casts every id it reads to
 * text in SQL, so the JS side always sees decimal strings.
 */
import type postgres from "postgres"

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySql = postgres.Sql<any>
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTx = postgres.TransactionSql<any>
