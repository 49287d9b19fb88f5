-- 15分钟便民生活圈: points of interest by kind, imported by staff from CSV or
-- GeoJSON. Places are WGS-84 (converted from GCJ-02 on import when the file
-- says so); an import replaces every place of its source in one transaction.

-- +goose Up

-- One row per accepted file: who replaced which source, with what.
CREATE TABLE poi_imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    source        TEXT NOT NULL,
    filename      TEXT NOT NULL,
    format        TEXT NOT NULL,
    coord_system  TEXT NOT NULL,
    file_hash     TEXT NOT NULL,
    places        INTEGER NOT NULL,
    replaced      INTEGER NOT NULL,
    imported_by   BIGINT REFERENCES users (id),
    created_at    DATETIME NOT NULL
);
CREATE INDEX poi_imports_created_idx ON poi_imports (created_at);

-- line is where the place was in its file, for whoever checks it against the file.
CREATE TABLE pois (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source     TEXT NOT NULL,
    import_id  BIGINT NOT NULL REFERENCES poi_imports (id),
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    address    TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    hours      TEXT NOT NULL DEFAULT '',
    lat        REAL NOT NULL,
    lng        REAL NOT NULL,
    line       INTEGER NOT NULL
);
-- "What is near": a box on lat (the index range) and lng, then exact distances in Go.
CREATE INDEX pois_lat_lng_idx ON pois (lat, lng);
CREATE INDEX pois_source_idx ON pois (source);
