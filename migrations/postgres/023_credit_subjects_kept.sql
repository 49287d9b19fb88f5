-- A credit subject (a company's 统一社会信用代码, a person's ID number) is a
-- register entry that is never deleted: its records expire, are repaired or
-- revoked, but the subject stays. The trigger makes that a rule of the
-- database, and with it the key check from each entry to its subject goes:
-- every entry is written by an import that found or created its subject in
-- the same transaction, and that per-row check (a lock on the subject for
-- each entry) was a third of the time an import spent writing its entries.
-- credit_events rests on the same rule for entries (004).

-- +goose Up

-- +goose StatementBegin
CREATE FUNCTION credit_subjects_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'credit subjects are never deleted' USING ERRCODE = 'restrict_violation';
END $$;
-- +goose StatementEnd
CREATE TRIGGER credit_subjects_kept BEFORE DELETE OR TRUNCATE ON credit_subjects
    FOR EACH STATEMENT EXECUTE FUNCTION credit_subjects_kept();
ALTER TABLE credit_entries DROP CONSTRAINT credit_entries_subject_id_fkey;

-- +goose Down

ALTER TABLE credit_entries ADD CONSTRAINT credit_entries_subject_id_fkey FOREIGN KEY (subject_id) REFERENCES credit_subjects (id);
DROP TRIGGER credit_subjects_kept ON credit_subjects;
DROP FUNCTION credit_subjects_kept();
