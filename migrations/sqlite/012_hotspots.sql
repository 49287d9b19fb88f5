-- 热点诉求: hotspots derived from the complaints by a periodic job. Counts,
-- places and orders are rebuilt on every run; what cannot be derived is kept:
-- when the leaders were told (once per hotspot) and the patrol order opened from it.

-- +goose Up

-- key names a hotspot from one run to the next: grid:<grid>:<category> or
-- cluster:<category>:<oldest order>. orders and grids are comma lists.
CREATE TABLE hotspots (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    hotspot_key           TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    category              TEXT NOT NULL,
    grid_id               TEXT NOT NULL DEFAULT '',
    grids                 TEXT NOT NULL DEFAULT '',
    lat                   REAL NOT NULL,
    lng                   REAL NOT NULL,
    radius_m              REAL NOT NULL DEFAULT 0,
    window_name           TEXT NOT NULL,
    report_count          INTEGER NOT NULL,
    baseline              REAL NOT NULL DEFAULT 0,
    rise                  REAL NOT NULL DEFAULT 0,
    orders                TEXT NOT NULL DEFAULT '',
    unit_code             TEXT NOT NULL DEFAULT '',
    first_at              DATETIME NOT NULL,
    last_at               DATETIME NOT NULL,
    notified_at           DATETIME,
    patrol_complaint_id   BIGINT REFERENCES complaints (id),
    ended_at              DATETIME,
    updated_at            DATETIME NOT NULL
);
-- One live hotspot per key; ended ones stay as history.
CREATE UNIQUE INDEX hotspots_key_live_idx ON hotspots (hotspot_key) WHERE ended_at IS NULL;

-- Per-category thresholds; a category without a row uses the defaults
-- (5 reports, 3 times the usual rate, clusters of 150 m).
CREATE TABLE hotspot_thresholds (
    category   TEXT PRIMARY KEY REFERENCES categories (code),
    min_count  INTEGER NOT NULL,
    min_rise   REAL NOT NULL,
    radius_m   REAL NOT NULL
);
