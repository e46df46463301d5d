// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: resilient ingress at the rack switch ("multinic
 * resilient-ingress" under router bgp).
 *
 * The switch installs an authorized task VIP (a VIP some host holds, in
 * the books of bgp_multinic_books.c) with one next hop per host NIC.  As
 * bgpd installs it, zebra makes a plain nexthop group per set of next
 * hops, and a NIC that fails or returns changes the set: the kernel then
 * hashes every flow of the VIP anew and flows on the surviving NICs move
 * too.  Here each such route goes into zebra through a resilient nexthop
 * group of its own (patch 0013), replaced in place when its next hops
 * change: the kernel keeps every flow's bucket on its next hop, so a
 * failing NIC moves only the flows that used it, and a returning NIC gets
 * the buckets that stay idle for the idle timer (1 s by default;
 * patch 0014 makes zebra give it to the kernel in the right unit), that
 * is new flows, without moving the flows that run.
 */
#ifndef _BGP_MULTINIC_RESILIENT_H
#define _BGP_MULTINIC_RESILIENT_H

struct json_object;
struct vty;

/* show bgp multinic ingress: the groups in use. */
extern void mn_resilient_show(struct vty *vty, struct json_object *json);

extern void mn_resilient_init(void);
extern void mn_resilient_fini(void);

#endif /* _BGP_MULTINIC_RESILIENT_H */
