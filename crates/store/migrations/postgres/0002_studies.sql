-- Map sources and studies, PostgreSQL flavour (see the SQLite migration for the reasoning).
CREATE TABLE map_sources (
    sha256      text PRIMARY KEY CHECK (length(sha256) = 64),
    name        text NOT NULL,
    size_bytes  bigint NOT NULL,
    imported_at timestamptz NOT NULL,
    data        bytea NOT NULL
);

CREATE INDEX map_sources_by_import ON map_sources (imported_at);

CREATE TABLE studies (
    id              uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    site_id         uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    created_at      timestamptz NOT NULL,
    created_by      uuid,
    engine_version  text NOT NULL,
    map_sha256      text REFERENCES map_sources (sha256),
    inputs          jsonb NOT NULL,
    summary         jsonb NOT NULL,
    result          jsonb NOT NULL
);

CREATE INDEX studies_by_site ON studies (organisation_id, site_id, created_at);
