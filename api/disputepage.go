package api

import "guanjia"

// disputePageRoles may open the 大调解 console pages (the queue and the case
// page): the command centre and hotline desk who take disputes in, and the
// mediators who work them. What each may do on a case is the dispute API's
// answer (its actions), not the page's.
var disputePageRoles = []guanjia.Role{guanjia.RoleDispatcher, guanjia.RoleAgent, guanjia.RoleAdmin, guanjia.RoleMediator}
