// Package dispatch is the complaint workflow of 城市管家 and the 12345 hotline:
// intake, grid routing, point-to-point dispatch, SLA deadlines and escalation.
//
// The state table (machine.go) names every step; Act runs one (action.go,
// crewaction.go, deskaction.go), HandleTimer runs the SLA timers (sla.go).
//
// Glossary: one English word in the code for each term of the trade.
//
//	受理   intake: a report is filed and given an order number (Create; the 受理 SMS)
//	立案   a report accepted as a case; 不予立案 = reject
//	派遣   dispatch: to a unit's queue or a crew member (ActionDispatch)
//	签收   accept: the crew member signs for the task (ActionAccept, accept_by)
//	到场   arrive: the GPS check-in on site (ActionArrive, arrive_by);
//	       点对点 (point to point): categories with an on-site deadline
//	处置   the work on site
//	办结   resolve: the work is done, with a note and photos (ActionResolve,
//	       resolve_by); "handled" in the KPIs (办结量, 按时办结率)
//	核查   the command center's check of the result
//	结案   close: the order is closed after the check (ActionClose, StatusClosed)
//	退单   return: the crew or unit gives the task back (ActionReturn)
//	返工   reopen: resolved or closed work is sent back (ActionReopen)
//	回访   rate: the reporter's answer on the result (ActionRate, ratings)
//	催办   remind: urge whoever is responsible, by hand or before a deadline
//	       (ActionRemind, Timer…Reminder, TplReminder)
//	督办   escalate: a missed deadline (MissedDeadlines) or a supervisor's
//	       order (ManualEscalations), told to the unit's leaders and the
//	       command center (ActionEscalate, TplEscalation)
//	延期   extend: a later resolve deadline (ActionExtend)
//	合并   merge: a duplicate joins an open complaint (ActionMerge, me-too)
//	网格   grid: the area a unit answers for (Router)
//
// To citizens the words are their own: a closed order is "已办结" in the
// subscribe message and the caller's SMS.
package dispatch
