-- Map sources and studies, SQLite flavour.
--
-- map_sources keeps every OpenStreetMap extract the base map was built from, by the SHA-256 of
-- its bytes, so that a study can name (and re-read) the exact data it analysed. The current
-- source is the one imported last.
CREATE TABLE map_sources (
    sha256      TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    name        TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    data        BLOB NOT NULL
) STRICT;

CREATE INDEX map_sources_by_import ON map_sources (imported_at);

-- A study is an engine run on a site; never updated (a new run is a new study). inputs, summary
-- and result are JSON text whose shape the engine's use case owns.
CREATE TABLE studies (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    site_id         TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT,
    engine_version  TEXT NOT NULL,
    map_sha256      TEXT REFERENCES map_sources (sha256),
    inputs          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    result          TEXT NOT NULL
) STRICT;

CREATE INDEX studies_by_site ON studies (organisation_id, site_id, created_at);
