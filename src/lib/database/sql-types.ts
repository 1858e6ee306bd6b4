/**
 * Loose porsager types for code that must work with any pool configuration (int8 as string, the
 * default, or as bigint, as `createSql` configures it). Such code casts every id it reads to
 * text in SQL, so the JS side always sees decimal strings.
 */
import type postgres from "postgres"

// biome-ignore lint/suspicious/noExplicitAny: postgres' own type parameter for a client with any custom types
export type AnySql = postgres.Sql<any>
// biome-ignore lint/suspicious/noExplicitAny: as above, for a transaction
export type AnyTx = postgres.TransactionSql<any>
