-- Agora's first schema, SQLite flavour.
--
-- Ids are UUIDs as lower-case hyphenated text. Timestamps are UTC text of fixed width with
-- microseconds (2026-11-23T12:00:00.000000Z), so text order is time order. JSON columns hold JSON
-- text. STRICT tables refuse values of the wrong type.

CREATE TABLE organisations (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;

CREATE INDEX users_by_organisation ON users (organisation_id, username);

-- token_hash is the SHA-256 of the cookie value, never the value itself.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE sites (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL CHECK (name <> ''), -- drafts are validated before; a last guard
    kind            TEXT NOT NULL,
    polygon         TEXT NOT NULL, -- GeoJSON Polygon or MultiPolygon, WGS84
    capacity        INTEGER,
    operators       TEXT NOT NULL, -- JSON array of strings
    opening_hours   TEXT,
    tags            TEXT NOT NULL, -- JSON object of strings
    source          TEXT,
    version         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE INDEX sites_by_organisation ON sites (organisation_id);

-- The audit trail has no foreign keys on purpose: it records what happened, even about records
-- that no longer exist or logins of unknown users. seq orders events written in the same microsecond.
CREATE TABLE audit_events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TEXT NOT NULL,
    organisation_id TEXT,
    user_id         TEXT,
    action          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    detail          TEXT NOT NULL
) STRICT;

CREATE INDEX audit_events_by_organisation ON audit_events (organisation_id, at, seq);

-- The base map, in the order it was imported (position), with its bounding box for viewport queries.
CREATE TABLE basemap_features (
    position INTEGER PRIMARY KEY NOT NULL,
    layer    TEXT NOT NULL,
    osm_ref  TEXT NOT NULL,
    name     TEXT,
    tags     TEXT NOT NULL, -- JSON object of strings
    geometry TEXT NOT NULL, -- GeoJSON Point, LineString or Polygon, WGS84
    min_lon  REAL NOT NULL,
    min_lat  REAL NOT NULL,
    max_lon  REAL NOT NULL,
    max_lat  REAL NOT NULL
) STRICT;

-- An R*Tree over the same boxes (SQLite's built-in spatial index), kept in step by triggers.
CREATE VIRTUAL TABLE basemap_boxes USING rtree (position, min_lon, max_lon, min_lat, max_lat);

CREATE TRIGGER basemap_boxes_insert AFTER INSERT ON basemap_features
BEGIN
    INSERT INTO basemap_boxes (position, min_lon, max_lon, min_lat, max_lat)
    VALUES (new.position, new.min_lon, new.max_lon, new.min_lat, new.max_lat);
END;

CREATE TRIGGER basemap_boxes_delete AFTER DELETE ON basemap_features
BEGIN
    DELETE FROM basemap_boxes WHERE position = old.position;
END;
