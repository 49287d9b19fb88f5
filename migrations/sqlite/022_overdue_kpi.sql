-- 按时办结率 counts an order resolved by its deadline as on time only if it
-- was never overdue (an extension granted after the deadline had passed
-- keeps the flag), so the statistics' covering index carries overdue too.
-- It is built anew under the old name, with the columns of 021 and overdue.
-- The 办结 SMS to the callers of a closed order's duplicates finds them by
-- duplicate_of: indexed for the rows that have one.

-- +goose Up

DROP INDEX complaints_stats_idx;
CREATE INDEX complaints_stats_idx ON complaints (created_at, status, unit_code, district, category,
    attempt, accepted_at, missed_accepts, arrive_by, arrived_at, resolve_by, resolved_at, overdue, reopen_count,
    missed_deadlines, manual_escalations, kpi_ratings, kpi_satisfied, kpi_solved_answers, kpi_solved);
CREATE INDEX complaints_duplicate_of_idx ON complaints (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- +goose Down

DROP INDEX complaints_duplicate_of_idx;
DROP INDEX complaints_stats_idx;
CREATE INDEX complaints_stats_idx ON complaints (created_at, status, unit_code, district, category,
    attempt, accepted_at, missed_accepts, arrive_by, arrived_at, resolve_by, resolved_at, reopen_count,
    missed_deadlines, manual_escalations, kpi_ratings, kpi_satisfied, kpi_solved_answers, kpi_solved);
