// pg-writer thread: batches raids and ledger rows into Postgres transactions.
import { runPgWriterThread } from "../src/apps/atlas/writer/thread.ts"

runPgWriterThread()
