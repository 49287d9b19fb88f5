-- A law belongs to the department that added it ('' for an administrator's):
-- only its staff and administrators change it. Laws added before are given
-- their author's department.

-- +goose Up

ALTER TABLE laws ADD COLUMN department TEXT NOT NULL DEFAULT '';
UPDATE laws SET department = COALESCE((SELECT users.unit_code FROM users
    WHERE users.id = laws.created_by AND users.role = 'department'), '');

-- +goose Down

ALTER TABLE laws DROP COLUMN department;
