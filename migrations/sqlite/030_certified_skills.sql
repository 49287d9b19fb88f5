-- The skills a volunteer named at 实名认证 that are in the skill catalogue
-- (as it is at this migration) become skills organisers search by, as the
-- ones recorded later are. Other words stay on the certification.

-- +goose Up

INSERT INTO volunteer_skills (user_id, skill)
SELECT v.user_id, s.value FROM volunteers v, json_each(v.skills) AS s
WHERE s.value IN ('急救', '外语', '心理疏导', '法律', '驾驶', '摄影', '电工', '医护', '手语', '教育辅导', '计算机', '文艺表演', '烹饪', '维修', '环保')
ON CONFLICT DO NOTHING;

-- +goose Down

-- The skills stay: they cannot be told from ones recorded since.
SELECT 1;
