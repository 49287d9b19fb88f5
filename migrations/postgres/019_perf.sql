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
CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER categories_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER units_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER grids_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grids
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER grid_units_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grid_units
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();

-- +goose Down

DROP TRIGGER grid_units_catalog_version ON grid_units;
DROP TRIGGER grids_catalog_version ON grids;
DROP TRIGGER units_catalog_version ON units;
DROP TRIGGER categories_catalog_version ON categories;
DROP FUNCTION bump_catalog_version();
DROP TABLE catalog_version;
