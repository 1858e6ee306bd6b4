/**
 * The services an app waits for at start-up, as ServiceTargets for waitForService: each names the
 * setting that points at it and connects for real (a query or a broker handshake), so "reachable"
 * means usable, not merely a port that accepts TCP.
 */

import { Connection } from "rabbitmq-client"
import { type ClickhouseHandle, type ConnectClickhouseOptions, connectClickhouse } from "../database/clickhouse.ts"
import { type ConnectPostgresOptions, connectPostgres, DEFAULT_EMBEDDED_PORT, type PostgresHandle } from "../database/postgres.ts"
import { installRawBodies } from "../messaging/raw-bodies.ts"
import { describeAddress, type ServiceTarget } from "./wait-for-service.ts"

/** Postgres at DATABASE_URL (or the embedded server), answering a query. */
export function postgresService(options: ConnectPostgresOptions): ServiceTarget<PostgresHandle> {
  const external = Boolean(options.url)
  return {
    name: external ? "postgres" : "embedded postgres",
    address: external ? describeAddress(options.url!, 5432) : `127.0.0.1:${options.embeddedPort ?? DEFAULT_EMBEDDED_PORT}`,
    setting: external ? "DATABASE_URL" : "EMBEDDED_POSTGRES_PORT",
    flag: external ? "--database-url" : "--embedded-postgres-port",
    async connect() {
      const pg = await connectPostgres(options)
      try {
        await pg.sql`SELECT 1`
      } catch (error) {
        await pg.close().catch(() => {})
        throw error
      }
      return pg
    },
  }
}

/** ClickHouse at CLICKHOUSE_URL (or embedded chdb), its database created. */
export function clickhouseService(options: ConnectClickhouseOptions): ServiceTarget<ClickhouseHandle> {
  const external = Boolean(options.url)
  return {
    name: external ? "clickhouse" : "embedded clickhouse",
    address: external ? describeAddress(options.url!, 8123) : "chdb",
    setting: external ? "CLICKHOUSE_URL" : "DATA_DIR",
    flag: external ? "--clickhouse-url" : "--data-dir",
    connect: () => connectClickhouse(options),
  }
}

export interface RabbitmqServiceOptions {
  url: string
  /** Per attempt; the wait's own bound decides how long to keep trying. */
  connectTimeoutMs?: number
}

/** RabbitMQ at RABBITMQ_URL, after a completed AMQP handshake (login and vhost included). */
export function rabbitmqService(options: RabbitmqServiceOptions): ServiceTarget<Connection> {
  const scheme = new URL(options.url).protocol
  return {
    name: "rabbitmq",
    address: describeAddress(options.url, scheme === "amqps:" ? 5671 : 5672),
    setting: "RABBITMQ_URL",
    flag: "--rabbitmq-url",
    connect: () => connectRabbitmqOnce(options.url, options.connectTimeoutMs ?? 10_000),
  }
}

/**
 * One connection attempt. rabbitmq-client reconnects on its own forever; here the first error
 * ends the attempt (waitForService owns retries), and the connection is closed on failure.
 */
function connectRabbitmqOnce(url: string, timeoutMs: number): Promise<Connection> {
  // Message bodies arrive as raw bytes everywhere (ids must never pass through JSON.parse's numbers).
  installRawBodies()
  const connection = new Connection({ url, connectionTimeout: timeoutMs, retryLow: timeoutMs, retryHigh: timeoutMs })
  return new Promise<Connection>((resolve, reject) => {
    const settle = (error: unknown) => {
      clearTimeout(timer)
      connection.off("connection", onConnected)
      connection.off("error", settle)
      void connection.close().catch(() => {})
      reject(error)
    }
    const onConnected = () => {
      clearTimeout(timer)
      connection.off("error", settle)
      resolve(connection)
    }
    const timer = setTimeout(() => settle(Object.assign(new Error("RabbitMQ handshake timed out"), { code: "ETIMEDOUT" })), timeoutMs)
    connection.once("connection", onConnected)
    connection.once("error", settle)
  })
}
