/**
 * Fails fast when a port an app is about to serve on is taken, before the app starts anything
 * that would have to be torn down. The error carries code EADDRINUSE and the port, which runMain
 * turns into one line naming the setting. (Racy by nature; the listener's own error is mapped
 * the same way.)
 */
import { createServer } from "node:net"

export async function checkPortFree(port: number, hostname = "0.0.0.0"): Promise<void> {
  if (port === 0) return
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(Object.assign(new Error(`port ${port} is in use`), { code: "EADDRINUSE", port }))
      else reject(error)
    })
    server.listen({ port, host: hostname, exclusive: true }, () => server.close(() => resolve()))
  })
}
