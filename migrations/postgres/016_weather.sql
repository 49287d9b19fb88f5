-- 台风 / 气象 / 积水: typhoon tracks imported from the meteorological feed or
-- CSV, waterlogging points with their sensor readings, weather alerts with
-- the area they cover, and the places citizens save to be alerted about.

-- +goose Up

-- number is the 中国编号 (YYNN, e.g. 2411), one row per typhoon; an import
-- replaces its points.
CREATE TABLE typhoons (
    id          BIGSERIAL PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL DEFAULT '',
    name_en     TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT FALSE,
    source      TEXT NOT NULL DEFAULT '',
    last_at     TIMESTAMPTZ NOT NULL,
    imported_by BIGINT REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX typhoons_last_at_idx ON typhoons (last_at);

-- kind is observed or forecast; radius_km is the forecast cone's radius.
CREATE TABLE typhoon_points (
    id           BIGSERIAL PRIMARY KEY,
    typhoon_id   BIGINT NOT NULL REFERENCES typhoons (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    lat          DOUBLE PRECISION NOT NULL,
    lng          DOUBLE PRECISION NOT NULL,
    pressure_hpa INTEGER NOT NULL DEFAULT 0,
    wind_ms      DOUBLE PRECISION NOT NULL DEFAULT 0,
    intensity    TEXT NOT NULL DEFAULT '',
    radius_km    DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE INDEX typhoon_points_track_idx ON typhoon_points (typhoon_id, kind, at);

-- code is the sensor system's id of the point (e.g. HK-WL-001).
CREATE TABLE waterlogging_points (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    lat         DOUBLE PRECISION NOT NULL,
    lng         DOUBLE PRECISION NOT NULL,
    video_url   TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- One reading per point and instant: a re-sent push changes nothing.
CREATE TABLE waterlogging_readings (
    id          BIGSERIAL PRIMARY KEY,
    point_id    BIGINT NOT NULL REFERENCES waterlogging_points (id) ON DELETE CASCADE,
    depth_cm    DOUBLE PRECISION NOT NULL,
    measured_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX waterlogging_readings_point_at_idx ON waterlogging_readings (point_id, measured_at);

-- area_geojson is a WGS-84 Polygon or MultiPolygon; area_grids a JSON array
-- of grid ids. One of them is set.
CREATE TABLE weather_alerts (
    id            BIGSERIAL PRIMARY KEY,
    kind          TEXT NOT NULL,
    level         TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    area_geojson  TEXT NOT NULL DEFAULT '',
    area_grids    TEXT NOT NULL DEFAULT '',
    valid_from    TIMESTAMPTZ NOT NULL,
    valid_until   TIMESTAMPTZ NOT NULL,
    published_by  BIGINT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    withdrawn_at  TIMESTAMPTZ,
    withdrawn_by  BIGINT REFERENCES users (id),
    fanned_out_at TIMESTAMPTZ
);
CREATE INDEX weather_alerts_window_idx ON weather_alerts (valid_until, valid_from);

-- One message per citizen and alert, however many of their places it covers:
-- the primary key makes a retried fan-out send nothing twice.
CREATE TABLE weather_alert_deliveries (
    alert_id        BIGINT NOT NULL REFERENCES weather_alerts (id),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    notification_id BIGINT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (alert_id, user_id)
);

-- A citizen's named places (家, 单位), WGS-84.
CREATE TABLE saved_places (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    lat          DOUBLE PRECISION NOT NULL,
    lng          DOUBLE PRECISION NOT NULL,
    coord_system TEXT NOT NULL DEFAULT 'wgs84',
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX saved_places_user_name_idx ON saved_places (user_id, name);
-- The fan-out reads the places inside an alert's bounding box.
CREATE INDEX saved_places_lat_lng_idx ON saved_places (lat, lng);
