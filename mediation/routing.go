package mediation

import (
	"slices"

	"guanjia"
)

// levelRank orders the ladder: village/community → town/street → district → city.
var levelRank = map[string]int{guanjia.LevelVillage: 0, guanjia.LevelTown: 1, guanjia.LevelDistrict: 2, guanjia.LevelCity: 3}

// LevelName is the Chinese name of a level.
func LevelName(level string) string {
	return map[string]string{guanjia.LevelVillage: "村（社区）", guanjia.LevelTown: "乡镇（街道）",
		guanjia.LevelDistrict: "区", guanjia.LevelCity: "市"}[level]
}

// Route picks the people's mediation committee for a dispute of typ in grid
// (in district): a specialised committee that takes the type, else the
// lowest committee on the ladder serving the grid (village, then town), else
// the district's, else the city's. It returns nil when no committee fits.
// 行政调解 is never picked here: a person routes to a department on purpose.
func Route(committees []*guanjia.Committee, typ, gridID, district string) *guanjia.Committee {
	var best *guanjia.Committee
	better := func(c *guanjia.Committee) {
		if best == nil || levelRank[c.Level] < levelRank[best.Level] ||
			(levelRank[c.Level] == levelRank[best.Level] && c.Code < best.Code) {
			best = c
		}
	}
	for _, c := range committees {
		if c.Kind == guanjia.CommitteePeople && slices.Contains(c.Types, typ) {
			better(c)
		}
	}
	if best != nil {
		return best
	}
	for _, c := range committees {
		if c.Kind != guanjia.CommitteePeople || len(c.Types) > 0 {
			continue
		}
		switch {
		case gridID != "" && slices.Contains(c.GridIDs, gridID):
			better(c)
		case c.Level == guanjia.LevelDistrict && district != "" && c.District == district:
			better(c)
		case c.Level == guanjia.LevelCity:
			better(c)
		}
	}
	return best
}

// findCommittee returns the committee with code, or nil.
func findCommittee(committees []*guanjia.Committee, code string) *guanjia.Committee {
	i := slices.IndexFunc(committees, func(c *guanjia.Committee) bool { return c.Code == code })
	if i < 0 {
		return nil
	}
	return committees[i]
}

// superior returns the committee a dispute at c escalates to: its Superior,
// else the next level up in its district, else the city's; nil at the top.
func superior(committees []*guanjia.Committee, c *guanjia.Committee) *guanjia.Committee {
	if c == nil {
		return nil
	}
	if s := findCommittee(committees, c.Superior); s != nil {
		return s
	}
	var best *guanjia.Committee
	for _, s := range committees {
		if s.Kind != guanjia.CommitteePeople || len(s.Types) > 0 || levelRank[s.Level] <= levelRank[c.Level] {
			continue
		}
		if s.Level != guanjia.LevelCity && s.District != c.District {
			continue
		}
		if best == nil || levelRank[s.Level] < levelRank[best.Level] {
			best = s
		}
	}
	return best
}
