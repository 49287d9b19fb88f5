-- The catalogue's version: every change to categories, units or grids moves
-- it, whoever makes it (the admin API, a seed, plain SQL). Each process keeps
-- the catalogue in memory and reads this one row every second or so to learn
-- whether another replica changed it.

-- +goose Up

CREATE TABLE catalog_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER categories_catalog_version_insert AFTER INSERT ON categories
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER categories_catalog_version_update AFTER UPDATE ON categories
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER categories_catalog_version_delete AFTER DELETE ON categories
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER units_catalog_version_insert AFTER INSERT ON units
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER units_catalog_version_update AFTER UPDATE ON units
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER units_catalog_version_delete AFTER DELETE ON units
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER grids_catalog_version_insert AFTER INSERT ON grids
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER grids_catalog_version_update AFTER UPDATE ON grids
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER grids_catalog_version_delete AFTER DELETE ON grids
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER grid_units_catalog_version_insert AFTER INSERT ON grid_units
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER grid_units_catalog_version_update AFTER UPDATE ON grid_units
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER grid_units_catalog_version_delete AFTER DELETE ON grid_units
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down

DROP TRIGGER grid_units_catalog_version_delete;
DROP TRIGGER grid_units_catalog_version_update;
DROP TRIGGER grid_units_catalog_version_insert;
DROP TRIGGER grids_catalog_version_delete;
DROP TRIGGER grids_catalog_version_update;
DROP TRIGGER grids_catalog_version_insert;
DROP TRIGGER units_catalog_version_delete;
DROP TRIGGER units_catalog_version_update;
DROP TRIGGER units_catalog_version_insert;
DROP TRIGGER categories_catalog_version_delete;
DROP TRIGGER categories_catalog_version_update;
DROP TRIGGER categories_catalog_version_insert;
DROP TABLE catalog_version;
