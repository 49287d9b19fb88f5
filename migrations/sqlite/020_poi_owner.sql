-- A 生活圈 source belongs to the department whose import created it: only
-- its staff (or an administrator) may replace it. "" is an administrator.

-- +goose Up
ALTER TABLE poi_imports ADD COLUMN department TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE poi_imports DROP COLUMN department;
