-- An article belongs to the department that wrote it ('' for an
-- administrator's): only its staff and administrators change it. Articles
-- written before are given their author's department.

-- +goose Up

ALTER TABLE credit_articles ADD COLUMN department TEXT NOT NULL DEFAULT '';
UPDATE credit_articles SET department = COALESCE((SELECT users.unit_code FROM users
    WHERE users.id = credit_articles.author_id AND users.role = 'department'), '');

-- +goose Down

ALTER TABLE credit_articles DROP COLUMN department;
