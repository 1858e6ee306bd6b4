-- athena (manifest): the Manifest versions whose definitions were loaded, so a version already
-- loaded is skipped (the job runs every few minutes around the weekly reset).
CREATE TABLE definitions.manifest_version (
    version      text PRIMARY KEY,
    loaded_at    timestamptz NOT NULL DEFAULT now(),
    content_path text NOT NULL,
    weapons      integer NOT NULL,
    feats        integer NOT NULL
);
