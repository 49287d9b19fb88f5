-- The dashboard's KPIs from an index alone: this index carries every column
-- that store/stats.go counts, so the statistics read the period's entries
-- and not the complaints' rows. It replaces the plain created_at index of
-- 018_stats.sql. (SQLite has no INCLUDE: the columns are keys after
-- created_at, which orders by created_at all the same.)

-- +goose Up

CREATE INDEX complaints_stats_idx ON complaints (created_at, status, unit_code, district, category,
    attempt, accepted_at, missed_accepts, arrive_by, arrived_at, resolve_by, resolved_at, reopen_count,
    missed_deadlines, manual_escalations, kpi_ratings, kpi_satisfied, kpi_solved_answers, kpi_solved);
DROP INDEX complaints_created_idx;

-- +goose Down

CREATE INDEX complaints_created_idx ON complaints (created_at);
DROP INDEX complaints_stats_idx;
