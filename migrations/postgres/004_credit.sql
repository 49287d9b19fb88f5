-- 诚信海口: credit subjects, their red/black list entries and public records,
-- department imports, 信用修复 applications and the public site's articles.

-- +goose Up

-- Which record types each department (a unit) may publish.
CREATE TABLE credit_remits (
    unit_code    TEXT NOT NULL REFERENCES units (code),
    record_type  TEXT NOT NULL,
    PRIMARY KEY (unit_code, record_type)
);

-- subject_key is the natural key a re-import finds a subject by: the
-- 统一社会信用代码, or "id:" and the keyed hash of the ID number for a person
-- (and a 个体工商户 without a code). ID numbers are stored encrypted, with a
-- keyed hash for lookups and the masked form, the only one ever shown.
CREATE TABLE credit_subjects (
    id           BIGSERIAL PRIMARY KEY,
    subject_key  TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    credit_code  TEXT NOT NULL DEFAULT '',
    id_enc       TEXT NOT NULL DEFAULT '',
    id_hash      TEXT NOT NULL DEFAULT '',
    id_masked    TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    legal_rep    TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX credit_subjects_id_hash_idx ON credit_subjects (id_hash) WHERE id_hash <> '';

-- Name search by any part of a Chinese name (SQLite scans, which is fine at
-- embedded sizes). A trigram index serves ILIKE for three characters or more;
-- a 字号 is often two, which trigrams cannot serve, so a second index holds
-- each name's two-character pieces (searched with @>). The extension lives in
-- public so every schema (and test schema) shares it.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX credit_subjects_name_trgm_idx ON credit_subjects USING gin (name public.gin_trgm_ops);
-- +goose StatementBegin
CREATE FUNCTION credit_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY(SELECT DISTINCT substr(lower(t), i, 2) FROM generate_series(1, char_length(t) - 1) AS i) $$;
-- +goose StatementEnd
CREATE INDEX credit_subjects_name_bigram_idx ON credit_subjects USING gin (credit_bigrams(name));

-- Every upload: who, when, which file, what came of it. A rejected batch keeps
-- its row report; nothing of it reaches credit_entries.
CREATE TABLE credit_batches (
    id           BIGSERIAL PRIMARY KEY,
    type         TEXT NOT NULL,
    department   TEXT NOT NULL REFERENCES units (code),
    uploaded_by  BIGINT NOT NULL REFERENCES users (id),
    uploader_role TEXT NOT NULL DEFAULT '',
    filename     TEXT NOT NULL DEFAULT '',
    file_hash    TEXT NOT NULL,
    format       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    row_count    INTEGER NOT NULL DEFAULT 0,
    inserted     INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    unchanged    INTEGER NOT NULL DEFAULT 0,
    error_count  INTEGER NOT NULL DEFAULT 0,
    errors       TEXT NOT NULL DEFAULT '[]',
    created_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ
);
CREATE INDEX credit_batches_department_idx ON credit_batches (department, id);
CREATE INDEX credit_batches_status_idx ON credit_batches (status, created_at);

-- A queued batch's file, until its import job has run.
CREATE TABLE credit_import_files (
    batch_id  BIGINT PRIMARY KEY REFERENCES credit_batches (id),
    data      BYTEA NOT NULL
);

-- List entries and public records. The natural key (type, 机关, 文号,
-- subject) makes a re-import of the same records change nothing. department
-- and batch_id carry no foreign key: the import checks both (the remit names
-- the unit, the batch row is written first), and a per-row key check would
-- double the time of a large import.
CREATE TABLE credit_entries (
    id            BIGSERIAL PRIMARY KEY,
    type          TEXT NOT NULL,
    subject_id    BIGINT NOT NULL REFERENCES credit_subjects (id),
    list_name     TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    document_no   TEXT NOT NULL,
    authority     TEXT NOT NULL,
    department    TEXT NOT NULL,
    decided_on    TIMESTAMPTZ NOT NULL,
    valid_from    TIMESTAMPTZ,
    valid_until   TIMESTAMPTZ,
    public_until  TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL,
    fields        JSONB NOT NULL DEFAULT '{}',
    batch_id      BIGINT,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (type, authority, document_no, subject_id)
);
CREATE INDEX credit_entries_subject_idx ON credit_entries (subject_id, status);
-- The public red and black list pages, newest decisions first.
CREATE INDEX credit_entries_list_idx ON credit_entries (type, decided_on, id)
    WHERE status = 'active' AND type IN ('redlist', 'blacklist');
-- The expiry job: active entries by the end of their period.
CREATE INDEX credit_entries_due_idx ON credit_entries (public_until) WHERE status = 'active';

-- Immutable: each entry's history and the audit log. Rows are only ever
-- inserted, and entries are never deleted, so entry_id needs no key check
-- (an import writes one event per new entry).
CREATE TABLE credit_events (
    id           BIGSERIAL PRIMARY KEY,
    entry_id     BIGINT NOT NULL,
    action       TEXT NOT NULL,
    from_status  TEXT NOT NULL DEFAULT '',
    to_status    TEXT NOT NULL DEFAULT '',
    actor_id     BIGINT,
    actor_role   TEXT NOT NULL DEFAULT '',
    batch_id     BIGINT,
    repair_id    BIGINT,
    note         TEXT NOT NULL DEFAULT '',
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX credit_events_entry_idx ON credit_events (entry_id, id);

-- 信用修复 applications. One pending application per entry at a time.
CREATE TABLE credit_repairs (
    id             BIGSERIAL PRIMARY KEY,
    entry_id       BIGINT NOT NULL REFERENCES credit_entries (id),
    department     TEXT NOT NULL,
    applicant_id   BIGINT NOT NULL REFERENCES users (id),
    reason         TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    status         TEXT NOT NULL,
    decided_by     BIGINT REFERENCES users (id),
    decision_note  TEXT NOT NULL DEFAULT '',
    decided_at     TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX credit_repairs_pending_idx ON credit_repairs (entry_id) WHERE status = 'pending';
CREATE INDEX credit_repairs_department_idx ON credit_repairs (department, status, id);
CREATE INDEX credit_repairs_applicant_idx ON credit_repairs (applicant_id, id);

-- 诚信动态, 政策法规 and 通知公告.
CREATE TABLE credit_articles (
    id            BIGSERIAL PRIMARY KEY,
    section       TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    author_id     BIGINT NOT NULL REFERENCES users (id),
    published_at  TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX credit_articles_section_idx ON credit_articles (section, status, published_at);
