// Fetcher thread: claims ids, fetches PGCRs, hands raids to the pg-writer.
import { runFetcherThread } from "../src/apps/atlas/fetcher/thread.ts"

runFetcherThread()
