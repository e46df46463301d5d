// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Netlink tests: addresses, routes and neighbours (test_multinic_netlink.c says how they run).
 */
#include "netlink_test.h"

#include <linux/neighbour.h>

/*
 * Addresses
 */

void addr_v4(void **state)
{
	struct fixture *fx = *state;
	struct prefix vip = pfx("10.10.0.1/32"), net = pfx("10.11.0.1/24");
	char err[ERRLEN], want[256];

	make_pair(fx, false);

	assert_ok(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), err);
	assert_ok(mn_nl_addr_add(&fx->a, p0, &net, err, sizeof(err)), err);
	assert_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "inet 10.10.0.1/32 ");
	assert_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "inet 10.11.0.1/24 ");

	/* duplicate */
	err[0] = '\0';
	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want),
		 "cannot add address 10.10.0.1/32 to %s in netns %s: File exists", p0, ns_a);
	assert_starts_with(err, want);

	/* on the host end, in the host namespace */
	assert_ok(mn_nl_addr_add(&MN_NL_NS_HOST, h0, &vip, err, sizeof(err)), err);
	assert_contains(out("ip -4 -o addr show dev %s", h0), "inet 10.10.0.1/32 ");

	/* gone (as "ip addr del" with the same words removes it): added again */
	assert_int_equal(run("ip -n %s addr del 10.10.0.1/32 dev %s", ns_a, p0), 0);
	assert_not_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "10.10.0.1/32");
	assert_ok(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), err);
	assert_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "inet 10.10.0.1/32 ");
	assert_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "inet 10.11.0.1/24 ");

	/* no such link */
	assert_int_equal(mn_nl_addr_add(&fx->b, p0, &vip, err, sizeof(err)), -ENODEV);
	snprintf(want, sizeof(want),
		 "cannot add address 10.10.0.1/32 to %s in netns %s: No such device", p0, ns_b);
	assert_starts_with(err, want);
}

/* Bad arguments are refused before anything is sent, and said so. */
void addr_invalid(void **state)
{
	struct fixture *fx = *state;
	struct prefix vip = pfx("10.10.0.1/32"), v6 = pfx("fd00::1/128");
	struct prefix bad = { .family = AF_UNSPEC };
	char err[ERRLEN], want[256];

	make_pair(fx, false);

	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &bad, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "cannot add address UNK prefix to %s in netns %s: Invalid argument", p0, ns_a);
	assert_string_equal(err, want);
	assert_int_equal(mn_nl_addr_add(&fx->a, p0, NULL, err, sizeof(err)), -EINVAL);
	assert_contains(err, "address (null) to ");

	/* a length beyond the family's */
	vip.prefixlen = 33;
	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "cannot add address 10.10.0.1/33 to %s in netns %s: Invalid argument", p0, ns_a);
	assert_string_equal(err, want);
	v6.prefixlen = 129;
	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &v6, err, sizeof(err)), -EINVAL);

	/* names the kernel would refuse or libnl cut */
	vip.prefixlen = 32;
	assert_int_equal(mn_nl_addr_add(&fx->a, NULL, &vip, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "cannot add address 10.10.0.1/32 to (null) in netns %s: Invalid argument", ns_a);
	assert_string_equal(err, want);
	assert_int_equal(mn_nl_addr_add(&fx->a, "abcdefghijklmnop", &vip, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &vip, NULL, 0), 0); /* err is optional */
	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &vip, NULL, 0), -EEXIST);

	/* nothing else was added */
	assert_string_equal(out("ip -n %s -o addr show dev %s | grep -c inet", ns_a, p0), "1\n");
}

void addr_v6_nodad(void **state)
{
	struct fixture *fx = *state;
	struct prefix vip = pfx("fd00:10::1/64");
	char err[ERRLEN], want[256], line[2048];

	/* both ends up, so that DAD would really run */
	make_pair(fx, true);

	/* control: an address added without nodad is tentative for ~1 s */
	assert_int_equal(run("ip -n %s addr add fd00:11::1/64 dev %s", ns_a, p0), 0);
	assert_contains(out("ip -n %s -6 -o addr show to fd00:11::1/128", ns_a), "tentative");

	assert_ok(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", out("ip -n %s -6 -o addr show to fd00:10::1/128", ns_a));
	assert_contains(line, "inet6 fd00:10::1/64 ");
	assert_contains(line, "nodad");
	assert_contains(line, "noprefixroute");
	assert_not_contains(line, "tentative");
	/*
	 * Usable at once: IPv6 refuses a tentative address as a route's
	 * preferred source ("Invalid source address"), not ours.
	 */
	assert_int_not_equal(run("ip -n %s route add fd00:40::/64 dev %s src fd00:11::1", ns_a, p0),
			     0);
	assert_int_equal(run("ip -n %s route add fd00:41::/64 dev %s src fd00:10::1", ns_a, p0), 0);
	/* no prefix route for it (there is one for the control address) */
	snprintf(line, sizeof(line), "%s", out("ip -n %s -6 route show", ns_a));
	assert_not_contains(line, "fd00:10::/64");
	assert_contains(line, "fd00:11::/64");

	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want),
		 "cannot add address fd00:10::1/64 to %s in netns %s: File exists", p0, ns_a);
	assert_starts_with(err, want);

	assert_int_equal(run("ip -n %s addr del fd00:10::1/64 dev %s", ns_a, p0), 0);
	assert_not_contains(out("ip -n %s -6 -o addr show dev %s", ns_a, p0), "fd00:10::1");
}

/*
 * Routes
 */

void route_v4(void **state)
{
	struct fixture *fx = *state;
	struct prefix vip = pfx("10.20.0.1/32"), gw = pfx("169.254.0.1");
	struct mn_nl_route r = {
		.dst = pfx("10.30.0.0/24"),
		.gw = &gw,
		.src = &vip,
		.ifname = p0,
		.table = 100,
	};
	char err[ERRLEN], want[256], line[2048];

	make_pair(fx, true);
	assert_ok(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), err);

	/* onlink gateway and source, in table 100; twice is fine */
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", out("ip -N -n %s route show table 100", ns_a));
	snprintf(want, sizeof(want),
		 "10.30.0.0/24 via 169.254.0.1 dev %s proto 199 src 10.20.0.1 onlink\n", p0);
	assert_string_equal(line, want); /* exactly one route */
	assert_not_contains(out("ip -n %s route show table main", ns_a), "10.30.0.0");

	/* default route in main (table 0), without source */
	r.dst = pfx("0.0.0.0/0");
	r.src = NULL;
	r.table = 0;
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "default via 169.254.0.1 dev %s proto 199 onlink", p0);
	assert_contains(out("ip -N -n %s route show table main", ns_a), want);

	/* on the link, no gateway: scope link (253); table above 255 */
	r.dst = pfx("169.254.0.1/32");
	r.gw = NULL;
	r.table = 1000;
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "169.254.0.1 dev %s proto 199 scope 253\n", p0);
	assert_string_equal(out("ip -N -n %s route show table 1000", ns_a), want);

	/* what "ip route del" with the same words removes */
	assert_int_equal(run("ip -n %s route del 169.254.0.1/32 dev %s proto 199 scope link table 1000",
			     ns_a, p0),
			 0);
	assert_string_equal(out("ip -N -n %s route show table 1000", ns_a), "");
	assert_int_equal(run("ip -n %s route del 10.30.0.0/24 via 169.254.0.1 dev %s proto 199 src 10.20.0.1 table 100",
			     ns_a, p0),
			 0);
	assert_string_equal(out("ip -N -n %s route show table 100", ns_a), "");

	/* only the gateway's and source's addresses count, not their lengths */
	gw = pfx("169.254.0.1/16");
	vip.prefixlen = 8;
	r.dst = pfx("10.31.0.0/24");
	r.gw = &gw;
	r.src = &vip;
	r.table = 100;
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want),
		 "10.31.0.0/24 via 169.254.0.1 dev %s proto 199 src 10.20.0.1 onlink\n", p0);
	assert_string_equal(out("ip -N -n %s route show table 100", ns_a), want);
}

void route_v4_errors(void **state)
{
	struct fixture *fx = *state;
	struct prefix gw = pfx("169.254.0.1"), gw6 = pfx("fe80::1");
	struct mn_nl_route r = {
		.dst = pfx("10.30.0.0/24"),
		.gw = &gw,
		.ifname = p0,
		.table = 100,
	};
	char err[ERRLEN], want[256];

	make_pair(fx, false);

	/* the link is down: the kernel refuses, and says why */
	err[0] = '\0';
	assert_int_equal(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), -ENETDOWN);
	snprintf(want, sizeof(want),
		 "cannot add route 10.30.0.0/24 via 169.254.0.1 dev %s table 100 in netns %s: Network is down",
		 p0, ns_a);
	assert_starts_with(err, want);

	/* no such link */
	assert_int_equal(mn_nl_route_add(&fx->b, &r, err, sizeof(err)), -ENODEV);
	assert_contains(err, "No such device");

	/* a gateway or source of the other family */
	r.gw = &gw6;
	assert_int_equal(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "cannot add route 10.30.0.0/24 via fe80::1 dev %s table 100 in netns %s: Invalid argument",
		 p0, ns_a);
	assert_string_equal(err, want);
	r.gw = NULL;
	r.src = &gw6;
	assert_int_equal(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), -EINVAL);
	r.src = NULL;
	r.ifname = NULL;
	assert_int_equal(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), -EINVAL);
	assert_contains(err, " dev (null) ");
	assert_int_equal(mn_nl_route_add(&fx->a, NULL, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "cannot add route (null) in netns %s: Invalid argument", ns_a);
	assert_string_equal(err, want);
	assert_string_equal(out("ip -n %s route show table 100", ns_a), "");
}

void route_v6(void **state)
{
	struct fixture *fx = *state;
	struct prefix vip = pfx("fd00:20::1/128"), gw = pfx("fe80::1");
	struct mn_nl_route r = {
		.dst = pfx("fd00:30::/64"),
		.gw = &gw,
		.src = &vip,
		.ifname = p0,
		.table = 1000,
	};
	char err[ERRLEN], want[256];

	make_pair(fx, true);
	/* usable as a source at once only because of NODAD */
	assert_ok(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), err);

	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want),
		 "fd00:30::/64 via fe80::1 dev %s proto 199 src fd00:20::1 metric 1024 onlink pref medium\n",
		 p0);
	assert_string_equal(out("ip -N -n %s -6 route show table 1000", ns_a), want);

	/* default route in main */
	r.dst = pfx("::/0");
	r.src = NULL;
	r.table = 0;
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "default via fe80::1 dev %s proto 199 ", p0);
	assert_contains(out("ip -N -n %s -6 route show table main", ns_a), want);
	assert_int_equal(run("ip -n %s -6 route del default via fe80::1 dev %s proto 199", ns_a, p0),
			 0);
	assert_not_contains(out("ip -N -n %s -6 route show table main", ns_a), "default");

	/* the link is gone: the kernel's reason, with its words for it */
	assert_int_equal(run("ip -n %s link set %s down", ns_a, p0), 0);
	err[0] = '\0';
	assert_int_equal(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), -ENETDOWN);
	snprintf(want, sizeof(want),
		 "cannot add route ::/0 via fe80::1 dev %s in netns %s: Network is down", p0, ns_a);
	assert_starts_with(err, want);
}

/*
 * Neighbours
 */

void neigh_permanent(void **state)
{
	struct fixture *fx = *state;
	struct prefix ip4 = pfx("10.20.0.2"), ip6 = pfx("fd00:20::2");
	const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	const uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	char err[ERRLEN], want[256];

	make_pair(fx, true);

	assert_ok(mn_nl_neigh_add(&fx->a, p0, &ip4, mac, err, sizeof(err)), err);
	assert_ok(mn_nl_neigh_add(&fx->a, p0, &ip6, mac, err, sizeof(err)), err);
	assert_string_equal(out("ip -n %s -4 neigh show dev %s", ns_a, p0),
			    "10.20.0.2 lladdr 02:00:00:00:00:01 PERMANENT\n");
	assert_string_equal(out("ip -n %s -6 neigh show dev %s", ns_a, p0),
			    "fd00:20::2 lladdr 02:00:00:00:00:01 PERMANENT\n");

	/* a new MAC replaces the entry */
	assert_ok(mn_nl_neigh_add(&fx->a, p0, &ip4, mac2, err, sizeof(err)), err);
	assert_string_equal(out("ip -n %s -4 neigh show dev %s", ns_a, p0),
			    "10.20.0.2 lladdr 02:00:00:00:00:02 PERMANENT\n");

	/* replacing a stale entry (one the kernel learnt) works too */
	assert_int_equal(run("ip -n %s neigh replace 10.20.0.3 lladdr 02:00:00:00:00:09 dev %s nud stale",
			     ns_a, p0),
			 0);
	ip4 = pfx("10.20.0.3/24"); /* only the address counts */
	assert_ok(mn_nl_neigh_add(&fx->a, p0, &ip4, mac, err, sizeof(err)), err);
	assert_string_equal(out("ip -n %s -4 neigh show dev %s to 10.20.0.3", ns_a, p0),
			    "10.20.0.3 lladdr 02:00:00:00:00:01 PERMANENT\n");

	assert_int_equal(mn_nl_neigh_add(&fx->b, p0, &ip4, mac, err, sizeof(err)), -ENODEV);
	snprintf(want, sizeof(want),
		 "cannot add neighbour 10.20.0.3 lladdr 02:00:00:00:00:01 on %s in netns %s: No such device",
		 p0, ns_b);
	assert_starts_with(err, want);

	/* refused before anything is sent */
	assert_int_equal(mn_nl_neigh_add(&fx->a, p0, &ip6, NULL, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "cannot add neighbour fd00:20::2 on %s in netns %s: no MAC address", p0, ns_a);
	assert_string_equal(err, want);
	ip6.family = AF_UNSPEC;
	assert_int_equal(mn_nl_neigh_add(&fx->a, p0, &ip6, mac, err, sizeof(err)), -EINVAL);
	assert_contains(err, ": Invalid argument");
	assert_int_equal(mn_nl_neigh_add(&fx->a, NULL, &ip4, mac, err, sizeof(err)), -EINVAL);
	assert_contains(err, " on (null) in netns ");
}

/* The state of an entry, as multinicd reads its NICs' gateways once. */
void neigh_state_read(void **state)
{
	struct fixture *fx = *state;
	struct prefix ip4 = pfx("10.20.0.2"), ip6 = pfx("fd00:20::2"), gone = pfx("10.20.0.99");
	const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	char err[ERRLEN], want[256];
	int pidx;

	make_pair(fx, true);
	pidx = ip_ifindex(ns_a, p0);

	assert_ok(mn_nl_neigh_add(&fx->a, p0, &ip4, mac, err, sizeof(err)), err);
	assert_int_equal(mn_nl_neigh_state(&fx->a, pidx, &ip4, err, sizeof(err)), NUD_PERMANENT);
	assert_int_equal(run("ip -n %s neigh replace fd00:20::2 lladdr 02:00:00:00:00:02 dev %s nud stale",
			     ns_a, p0),
			 0);
	assert_int_equal(mn_nl_neigh_state(&fx->a, pidx, &ip6, err, sizeof(err)), NUD_STALE);
	/* a prefix length does not matter: the entry is for the address */
	ip4.prefixlen = 24;
	assert_int_equal(mn_nl_neigh_state(&fx->a, pidx, &ip4, NULL, 0), NUD_PERMANENT);

	/* no entry: for that address, on that link, in that namespace */
	err[0] = '\0';
	assert_int_equal(mn_nl_neigh_state(&fx->a, pidx, &gone, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want),
		 "cannot read neighbour 10.20.0.99 on ifindex %d in netns %s: no such entry", pidx,
		 ns_a);
	assert_string_equal(err, want);
	assert_int_equal(mn_nl_neigh_state(&fx->a, 1, &ip4, NULL, 0), -ENOENT);
	assert_int_equal(mn_nl_neigh_state(&fx->b, pidx, &ip4, NULL, 0), -ENOENT);

	assert_int_equal(mn_nl_neigh_state(&fx->a, 0, &ip4, err, sizeof(err)), -EINVAL);
	assert_contains(err, ": Invalid argument");
	assert_int_equal(mn_nl_neigh_state(&fx->a, pidx, NULL, err, sizeof(err)), -EINVAL);
}

/*
 * Held sockets (a task's wiring): a series of requests, failures among
 * them, each answered as on a socket of its own.
 */
static void count_link(const struct mn_nl_link_info *link, void *arg)
{
	(*(int *)arg)++;
}

void held_socket_series(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_ns host = MN_NL_NS_HOST;
	struct prefix vip = pfx("10.12.0.1/32"), net = pfx("10.13.0.1/24");
	struct mn_nl_route route = {};
	struct prefix gw = pfx("169.254.1.1/32");
	char err[ERRLEN], want[256];
	uint8_t mac[6];
	int links = 0;

	make_pair(fx, false);
	mn_nl_ns_hold(&host);
	mn_nl_ns_hold(&fx->a);
	assert_non_null(host.held);
	assert_non_null(fx->a.held);

	/* a lookup (whose ack libnl may leave unread), then changes */
	assert_int_equal(mn_nl_link_index(&fx->a, p0), ip_ifindex(ns_a, p0));
	assert_ok(mn_nl_link_up(&fx->a, p0, 1400, err, sizeof(err)), err);
	assert_ok(mn_nl_link_up(&host, h0, 0, err, sizeof(err)), err);
	assert_ok(mn_nl_link_mac(&host, h0, mac, err, sizeof(err)), err);
	assert_ok(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), err);

	/* a failure, in the kernel's words, and the socket goes on */
	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want),
		 "cannot add address 10.12.0.1/32 to %s in netns %s: File exists", p0, ns_a);
	assert_starts_with(err, want);
	assert_int_equal(mn_nl_addr_add(&fx->a, "nosuchlink0", &vip, err, sizeof(err)), -ENODEV);
	assert_ok(mn_nl_addr_add(&fx->a, p0, &net, err, sizeof(err)), err);

	/* a dump in between: its answers are all read before the next request */
	assert_ok(mn_nl_links_dump(&fx->a, count_link, &links, err, sizeof(err)), err);
	assert_int_equal(links, 2); /* lo and the peer */
	assert_ok(mn_nl_neigh_add(&fx->a, p0, &gw, mac, err, sizeof(err)), err);
	route.dst.family = AF_INET;
	route.gw = &gw;
	route.src = &vip;
	route.ifname = p0;
	assert_ok(mn_nl_route_add(&fx->a, &route, err, sizeof(err)), err);

	assert_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "inet 10.12.0.1/32 ");
	assert_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "inet 10.13.0.1/24 ");
	assert_contains(out("ip -n %s -4 route show default", ns_a),
			"default via 169.254.1.1 dev ");
	assert_true(link_flag_up(ip_link(NULL, h0)));
	assert_contains(ip_link(ns_a, p0), "mtu 1400 ");

	/* released: gone, and requests open their own sockets again */
	mn_nl_ns_release(&fx->a);
	mn_nl_ns_release(&host);
	assert_null(fx->a.held);
	assert_null(host.held);
	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &net, err, sizeof(err)), -EEXIST);
}
