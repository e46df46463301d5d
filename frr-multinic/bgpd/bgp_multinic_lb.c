// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the link-bandwidth community (see bgp_multinic_lb.h).
 */
#include <zebra.h>

#include "bgpd/bgpd.h"
#include "bgpd/bgp_aspath.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_ecommunity.h"
#include "bgpd/bgp_multinic_lb.h"

void mn_attr_set_link_bandwidth(struct attr *attr, as_t as, uint64_t bw, enum mn_lb_encoding enc)
{
	struct ecommunity one = { .size = 1 };
	struct ecommunity *old, *new;

	if (enc == MN_LB_EXTENDED) {
		struct ecommunity_val_ipv6 v;

		encode_lb_extended_extcomm(as, bw, false, &v);
		old = bgp_attr_get_ipv6_ecommunity(attr);
		one.unit_size = IPV6_ECOMMUNITY_SIZE;
		one.val = v.val;
		new = ecommunity_dup(old ? old : &one);
		if (old)
			ecommunity_add_val_ipv6(new, &v, true, true);
		bgp_attr_set_ipv6_ecommunity(attr, new);
	} else {
		struct ecommunity_val v;

		/* the classic community has a 2-byte AS */
		encode_lb_extcomm(as > BGP_AS_MAX ? BGP_AS_TRANS : as, bw, false, &v, false);
		old = bgp_attr_get_ecommunity(attr);
		one.unit_size = ECOMMUNITY_SIZE;
		one.val = v.val;
		new = ecommunity_dup(old ? old : &one);
		if (old)
			ecommunity_add_val(new, &v, true, true);
		bgp_attr_set_ecommunity(attr, new);
	}
	/* an uninterned one (set by a route-map) is ours to free */
	if (old && !old->refcnt)
		ecommunity_free(&old);
}
