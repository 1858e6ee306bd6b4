/**
 * A private RabbitMQ vhost for a job test on the shared broker (guest/guest), through rabbitmqctl
 * (the management plugin is off). Tests never see each other's queues; drop() deletes it.
 */
import { uniqueName } from "../../database/testing.ts"

const BROKER = process.env.TEST_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672"

async function rabbitmqctl(...args: string[]): Promise<void> {
  const child = Bun.spawn(["rabbitmqctl", "-q", ...args], { stdout: "pipe", stderr: "pipe" })
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  if (code !== 0) throw new Error(`rabbitmqctl ${args.join(" ")} failed (${code}): ${err.trim() || out.trim()}`)
}

export interface JobTestVhost {
  url: string
  drop(): Promise<void>
}

export async function createJobTestVhost(prefix: string): Promise<JobTestVhost> {
  const name = uniqueName(prefix)
  await rabbitmqctl("add_vhost", name)
  await rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
  const url = new URL(BROKER)
  url.pathname = `/${encodeURIComponent(name)}`
  return { url: url.toString(), drop: () => rabbitmqctl("delete_vhost", name).catch(() => {}) }
}
