-- Agora's first schema, PostgreSQL flavour. Tables are created in the first schema of the
-- connection's search_path (public by default; the test suite uses one schema per run).
--
-- Ids are uuid, timestamps timestamptz (microseconds), JSON columns jsonb, integers bigint.

CREATE TABLE organisations (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    kind       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    username        text NOT NULL UNIQUE,
    display_name    text NOT NULL,
    role            text NOT NULL,
    password_hash   text NOT NULL,
    created_at      timestamptz NOT NULL
);

CREATE INDEX users_by_organisation ON users (organisation_id, username);

-- token_hash is the SHA-256 of the cookie value, never the value itself.
CREATE TABLE sessions (
    token_hash   text PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE sites (
    id              uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    name            text NOT NULL CHECK (name <> ''), -- drafts are validated before; a last guard
    kind            text NOT NULL,
    polygon         jsonb NOT NULL, -- GeoJSON Polygon or MultiPolygon, WGS84
    capacity        bigint,
    operators       jsonb NOT NULL, -- array of strings
    opening_hours   text,
    tags            jsonb NOT NULL, -- object of strings
    source          text,
    version         bigint NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE INDEX sites_by_organisation ON sites (organisation_id);

-- The audit trail has no foreign keys on purpose: it records what happened, even about records
-- that no longer exist or logins of unknown users. seq orders events written in the same microsecond.
CREATE TABLE audit_events (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL,
    organisation_id uuid,
    user_id         uuid,
    action          text NOT NULL,
    subject         text NOT NULL,
    detail          text NOT NULL
);

CREATE INDEX audit_events_by_organisation ON audit_events (organisation_id, at, seq);

-- The base map, in the order it was imported (position), with its bounding box for viewport queries.
CREATE TABLE basemap_features (
    position bigint PRIMARY KEY,
    layer    text NOT NULL,
    osm_ref  text NOT NULL,
    name     text,
    tags     jsonb NOT NULL, -- object of strings
    geometry jsonb NOT NULL, -- GeoJSON Point, LineString or Polygon, WGS84
    min_lon  double precision NOT NULL,
    min_lat  double precision NOT NULL,
    max_lon  double precision NOT NULL,
    max_lat  double precision NOT NULL
);

-- A GiST index on the box built from the four columns (built-in geometric types; no PostGIS needed).
-- Viewport queries use the same expression with the overlap operator &&.
CREATE INDEX basemap_features_by_box ON basemap_features
    USING gist (box(point(min_lon, min_lat), point(max_lon, max_lat)));
