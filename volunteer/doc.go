// Package volunteer is 公益海口: real-name volunteers, certified teams,
// reviewed activities, signup without oversell, reminders, QR and geofence
// check-in, hours in an append-only ledger, certificates and help requests.
//
// Service holds one part per resource (Volunteers, Teams, Activities,
// Signups, Hours, Help) over a shared Platform; the state tables of teams,
// activities, signups and help requests are in machine.go.
//
// Glossary: one English word in the code for each term of the trade.
//
//	实名认证   certify: a citizen becomes a real-name volunteer (Certify)
//	志愿队伍   team; 团队认证 = its review (apply, approve, refuse)
//	活动       activity: drafted, submitted, reviewed, published (approve)
//	报名       signup: confirmed while places remain
//	候补       waitlisted; 候补转正 = promote, when a place frees up
//	活动提醒   reminder: before an activity starts (TimerRemind)
//	改期       reschedule
//	签到/签退  check in / check out, by QR code and geofence;
//	          代签到/代签退 = manual check-in/out by a team admin
//	未签到     no-show
//	服务时长   hours, in an append-only ledger: 信用时长 = credit (from
//	          attendance), 荣誉时长 = honor (entered by a team admin);
//	          a 更正 (correction) is a new entry, never an edit
//	志愿服务记录证明  certificate (民政部令第67号)
//	求助       help request; 认领 = claim (by a certified team)
//	联合惩戒   black-listed organisations are flagged at team review (Credit)
package volunteer
