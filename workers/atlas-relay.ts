// Relay thread: outbox → ClickHouse (and RabbitMQ).
import { runRelayThread } from "../src/apps/atlas/relay/thread.ts"

runRelayThread()
