// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: second looks at what was judged -- refused announcements
 * kept and replayed once authorized, paths a new policy no longer
 * authorizes replayed so that the route-map refuses them.
 */
#ifndef _BGP_MULTINIC_REVISIT_H
#define _BGP_MULTINIC_REVISIT_H

/* After mn_books_policy_installed(): revoke, revisit, ask for the rest. */
extern void mn_revisit_policy_installed(void);

extern void mn_revisit_init(void);
extern void mn_revisit_fini(void);

#endif /* _BGP_MULTINIC_REVISIT_H */
