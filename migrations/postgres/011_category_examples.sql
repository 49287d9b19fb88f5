-- Example sentences and keywords per category, one a line, that staff edit
-- and the category suggester (智能分类) learns from.

-- +goose Up
ALTER TABLE categories ADD COLUMN examples TEXT NOT NULL DEFAULT '';

