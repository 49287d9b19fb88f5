-- Lists and aggregates at a city's scale (a year is a million complaints).

-- +goose Up

-- The live queue: the open orders, newest first, without walking the closed
-- year behind them. The list query spells the same predicate.
CREATE INDEX complaints_open_idx ON complaints (id) WHERE status NOT IN ('closed', 'rejected', 'duplicate');
-- A citizen's "my complaints": their reports, newest first, and the ones they follow.
DROP INDEX complaints_reporter_idx;
CREATE INDEX complaints_reporter_recent_idx ON complaints (reporter_id, id);
CREATE INDEX complaint_followers_user_idx ON complaint_followers (user_id, complaint_id);
-- The dashboard: the complaints received in a period.
CREATE INDEX complaints_created_idx ON complaints (created_at);

-- The sums of dispatch.RatingCounts over each complaint's 回访 answers, kept
-- on its row (store/stats.go recounts them with every answer), so that the
-- statistics need not read the answers.
ALTER TABLE complaints ADD COLUMN kpi_ratings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaints ADD COLUMN kpi_satisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaints ADD COLUMN kpi_solved_answers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaints ADD COLUMN kpi_solved INTEGER NOT NULL DEFAULT 0;
-- Once, for the answers given before: the same sums as dispatch.RatingCounts.
UPDATE complaints SET kpi_ratings = a.ratings, kpi_satisfied = a.satisfied, kpi_solved_answers = a.solved_answers,
    kpi_solved = a.solved
FROM (SELECT complaint_id, COUNT(*) AS ratings, SUM(CASE WHEN score >= 2 THEN 1 ELSE 0 END) AS satisfied,
        SUM(CASE WHEN solved IS NOT NULL THEN 1 ELSE 0 END) AS solved_answers, SUM(CASE WHEN solved = TRUE THEN 1 ELSE 0 END) AS solved
    FROM complaint_ratings GROUP BY complaint_id) AS a
WHERE complaints.id = a.complaint_id;
