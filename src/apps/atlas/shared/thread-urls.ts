/**
 * Where atlas's thread entry points live. A thread is started by URL (workers/*.ts are a few lines
 * each that call into this app), so nothing in src/ imports workers/.
 */
const workerUrl = (name: string) => new URL(`../../../../workers/${name}.ts`, import.meta.url)

export const FETCHER_THREAD_URL = workerUrl("atlas-fetcher")
export const PG_WRITER_THREAD_URL = workerUrl("atlas-pg-writer")
export const RELAY_THREAD_URL = workerUrl("atlas-relay")
