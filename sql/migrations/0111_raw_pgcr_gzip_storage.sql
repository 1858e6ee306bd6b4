-- raw.pgcr.data now holds gzip of the JSON bytes of Bungie's Response object, the format the
-- public API's /pgcr/:id reads (src/lib/database/raw-pgcr-codec.ts). Already compressed, so
-- Postgres need not try again: EXTERNAL keeps large values out of line without a compression
-- attempt (catalog only; existing rows are untouched). Rows stored earlier as zstd are rewritten
-- by `bun run tool convert-raw-pgcr`.
ALTER TABLE raw.pgcr ALTER COLUMN data SET STORAGE EXTERNAL;
