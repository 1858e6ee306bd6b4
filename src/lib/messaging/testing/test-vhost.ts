/**
 * A private RabbitMQ vhost per test file on the shared broker (127.0.0.1:5672, guest/guest), so
 * tests never see each other's queues and can simulate broker faults by closing only their own
 * connections. The management plugin is off on the shared broker, so this goes through
 * `rabbitmqctl` (about a second per call; a test file creates one vhost).
 *
 *   const vhost = await createTestVhost()
 *   afterAll(() => vhost.drop())
 */
import { uniqueName } from "../../database/testing.ts"

const BROKER = process.env.TEST_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672"

export interface TestVhost {
  name: string
  /** amqp URL of the vhost (guest has full permissions on it). */
  url: string
  /** Closes every client connection to this vhost only (rabbitmqctl close_connection per pid). */
  closeConnections(reason?: string): Promise<number>
  /** Deletes the vhost with everything in it. */
  drop(): Promise<void>
}

async function rabbitmqctl(...args: string[]): Promise<string> {
  const child = Bun.spawn(["rabbitmqctl", "-q", ...args], { stdout: "pipe", stderr: "pipe" })
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  if (code !== 0) throw new Error(`rabbitmqctl ${args.join(" ")} failed (${code}): ${err.trim() || out.trim()}`)
  return out
}

export async function createTestVhost(prefix = "hermes"): Promise<TestVhost> {
  const name = uniqueName(prefix)
  await rabbitmqctl("add_vhost", name)
  await rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
  const base = new URL(BROKER)
  base.pathname = `/${encodeURIComponent(name)}`
  return {
    name,
    url: base.toString(),
    async closeConnections(reason = "test: broker fault") {
      const listing = await rabbitmqctl("list_connections", "vhost", "pid")
      const pids = listing
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .filter((cols) => cols[0] === name && cols[1] !== undefined)
        .map((cols) => cols[1]!)
      for (const pid of pids) await rabbitmqctl("close_connection", pid, reason).catch(() => {})
      return pids.length
    },
    async drop() {
      await rabbitmqctl("delete_vhost", name).catch(() => {})
    },
  }
}
