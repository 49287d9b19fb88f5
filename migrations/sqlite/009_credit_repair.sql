-- 信用修复: who may apply for a subject, one pending application per
-- applicant and entry, and the 失信程度 the minimum publication periods
-- depend on (credit/period.go).

-- +goose Up

-- 失信程度 of graded records (行政处罚): general (一般失信) or serious (严重失信);
-- '' for record types that are not graded. Penalties published before it was
-- recorded are 一般失信, the documented default.
ALTER TABLE credit_entries ADD COLUMN severity TEXT NOT NULL DEFAULT '';
UPDATE credit_entries SET severity = 'general' WHERE type = 'penalty' AND severity = '';

-- A user's standing to act for a subject. basis legal_rep: the 法定代表人
-- (经营者, or the person themself) whose name and ID number matched the
-- registered ones: accepted as filed, or refused and kept as a failed attempt
-- (attempts are throttled). basis power_of_attorney: an uploaded 授权委托书
-- (document_key in the blob store), pending until the department that
-- published the entry it was filed for accepts or refuses it; it covers that
-- department's entries of the subject. No ID number is kept here.
CREATE TABLE credit_representatives (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id     BIGINT NOT NULL REFERENCES credit_subjects (id),
    user_id        BIGINT NOT NULL REFERENCES users (id),
    basis          TEXT NOT NULL,
    name           TEXT NOT NULL,
    department     TEXT NOT NULL DEFAULT '',
    entry_id       BIGINT REFERENCES credit_entries (id),
    document_key   TEXT NOT NULL DEFAULT '',
    document_type  TEXT NOT NULL DEFAULT '',
    document_size  BIGINT NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    decided_by     BIGINT REFERENCES users (id),
    decision_note  TEXT NOT NULL DEFAULT '',
    decided_at     DATETIME,
    created_at     DATETIME NOT NULL
);
-- One live standing per user, subject and department ('' = every department).
CREATE UNIQUE INDEX credit_representatives_live_idx ON credit_representatives (subject_id, user_id, department)
    WHERE status IN ('pending', 'accepted');
CREATE INDEX credit_representatives_user_idx ON credit_representatives (user_id, created_at);
CREATE INDEX credit_representatives_department_idx ON credit_representatives (department, status, id);

-- One pending application per applicant and entry (it was per entry: anyone
-- could block a subject's own application).
DROP INDEX credit_repairs_pending_idx;
CREATE UNIQUE INDEX credit_repairs_pending_idx ON credit_repairs (entry_id, applicant_id) WHERE status = 'pending';
-- How the applicant stands for the subject: legal_rep, power_of_attorney,
-- department (staff on the subject's behalf) or admin.
ALTER TABLE credit_repairs ADD COLUMN basis TEXT NOT NULL DEFAULT '';
ALTER TABLE credit_repairs ADD COLUMN representative_id BIGINT REFERENCES credit_representatives (id);
