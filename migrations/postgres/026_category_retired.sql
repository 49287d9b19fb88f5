-- A category can be retired (停用): no new complaint is filed under it, and
-- the complaints filed before keep it. Its edit is an UPDATE of categories,
-- so the triggers of 019_perf.sql move catalog_version and every replica
-- reads the catalogue again.

-- +goose Up

ALTER TABLE categories ADD COLUMN retired BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down

ALTER TABLE categories DROP COLUMN retired;
