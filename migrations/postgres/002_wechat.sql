-- WeChat adapter: subscribe consents, asynchronous media checks, mini-program codes.

-- +goose Up

-- One row per (user, subscribe template): each "allow" in the mini-program's
-- subscribe popup lets one message through. Spending is a conditional UPDATE
-- (remaining > 0), so two concurrent sends never take the same consent.
CREATE TABLE wechat_consents (
    user_id      BIGINT NOT NULL REFERENCES users (id),
    template_id  TEXT NOT NULL,
    remaining    INTEGER NOT NULL DEFAULT 0 CHECK (remaining >= 0),
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, template_id)
);

-- media_check_async answers with a trace_id; the verdict arrives later on the
-- callback carrying only that id. No foreign key to photos: a photo may be
-- deleted before its verdict comes.
CREATE TABLE wechat_media_checks (
    trace_id    TEXT PRIMARY KEY,
    photo_id    TEXT NOT NULL,
    suggest     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    checked_at  TIMESTAMPTZ
);

-- Mini-program codes (getwxacodeunlimit) never change for a (scene, page).
CREATE TABLE wechat_wxacodes (
    scene       TEXT NOT NULL,
    page        TEXT NOT NULL,
    image       BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scene, page)
);
