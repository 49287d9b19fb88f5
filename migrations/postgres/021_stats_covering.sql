-- The dashboard's KPIs from an index alone. A month of a large city's
-- complaints is spread over a third of the table's pages (every order is
-- updated several times after it is filed), so counting them through the
-- heap reads more than shared_buffers holds. This index carries every column
-- that store/stats.go counts, so the statistics are an index-only scan of the
-- period's entries. It replaces the plain created_at index of 018_stats.sql.

-- +goose Up

CREATE INDEX complaints_stats_idx ON complaints (created_at) INCLUDE (status, unit_code, district, category,
    attempt, accepted_at, missed_accepts, arrive_by, arrived_at, resolve_by, resolved_at, reopen_count,
    missed_deadlines, manual_escalations, kpi_ratings, kpi_satisfied, kpi_solved_answers, kpi_solved);
DROP INDEX complaints_created_idx;
-- An index-only scan still reads the heap for pages not marked all-visible
-- since their last change. Vacuum after every 1 % of the table is inserted or
-- changed (a few hours of intake) rather than the default 20 % (weeks), so
-- that only the newest pages need the heap.
ALTER TABLE complaints SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.01);

-- +goose Down

ALTER TABLE complaints RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_scale_factor);
CREATE INDEX complaints_created_idx ON complaints (created_at);
DROP INDEX complaints_stats_idx;
