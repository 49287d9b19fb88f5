-- A request from an Open311 client may point at a picture of the problem
-- (media_url): the dispatcher and the crew open it, GET requests answer it.

-- +goose Up

ALTER TABLE complaints ADD COLUMN media_url TEXT NOT NULL DEFAULT '';

-- +goose Down

ALTER TABLE complaints DROP COLUMN media_url;
