-- A credit subject (a company's 统一社会信用代码, a person's ID number) is a
-- register entry that is never deleted: its records expire, are repaired or
-- revoked, but the subject stays. The trigger makes that a rule of the
-- database. On PostgreSQL the key check from each entry to its subject goes
-- with it (a third of an import's time writing entries); SQLite keeps it,
-- where dropping it would mean rebuilding the table for no measurable gain.

-- +goose Up

-- +goose StatementBegin
CREATE TRIGGER credit_subjects_kept BEFORE DELETE ON credit_subjects
BEGIN
    SELECT RAISE(ABORT, 'credit subjects are never deleted');
END;
-- +goose StatementEnd

-- +goose Down

DROP TRIGGER credit_subjects_kept;
