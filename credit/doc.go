// Package credit is 诚信海口: subjects, red and black lists, 双公示 records,
// department imports, lookups, publication periods and 信用修复.
//
// Glossary: one English word in the code for each term of the trade.
//
//	信用主体       subject: an organisation, a 个体工商户 or a person
//	统一社会信用代码 credit code (GB 32100-2015); a person's is the ID number
//	法定代表人     legal rep (经营者 for a 个体工商户; a person stands for themself)
//	红名单/黑名单  red list / black list (守信激励, 失信惩戒): list entries
//	双公示         the 行政许可 (license) and 行政处罚 (penalty) records a
//	              department must publish; other types are records too
//	失信程度       severity: 一般失信 (general) or 严重失信 (serious)
//	公示期         publication period: an entry is public until public_until;
//	              then it expires (ExpireDue)
//	报送           import: a department uploads a batch (CSV or XLSX) of one
//	              record type; its remit is the types it may publish
//	信用修复       repair: the subject applies, the publishing department
//	              decides; a repaired entry leaves public view
//	撤销           revoke: an entry is withdrawn for good (the decision was
//	              annulled, or published in error)
//	授权委托书     power of attorney: an agent (受托人) files it to stand for a
//	              subject; a standing is a Representative
//	诚信动态等栏目  articles of the public site (Sections)
package credit
