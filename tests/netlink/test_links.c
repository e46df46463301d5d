// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Netlink tests: links (test_multinic_netlink.c says how they run).
 */
#include "netlink_test.h"

/*
 * Links
 */

void veth_create_pair(void **state)
{
	struct fixture *fx = *state;
	char err[ERRLEN], at[32], line[1024];
	int hidx = 0, pidx = 0;

	assert_ok(mn_nl_veth_create(h0, p0, &fx->a, 1400, &hidx, &pidx, err, sizeof(err)), err);
	assert_true(hidx > 0 && pidx > 0);

	/* the host end, here */
	assert_int_equal(hidx, (int)if_nametoindex(h0));
	assert_int_equal(hidx, ip_ifindex(NULL, h0));
	assert_int_equal(mn_nl_link_index(&MN_NL_NS_HOST, h0), hidx);
	snprintf(line, sizeof(line), "%s", ip_link(NULL, h0));
	assert_contains(line, " mtu 1400 ");
	assert_contains(line, "veth");
	assert_false(link_flag_up(line));
	snprintf(at, sizeof(at), "%s@if%d:", h0, pidx);
	assert_contains(line, at); /* paired with the index we were given */
	assert_int_equal(mn_nl_link_kind(&MN_NL_NS_HOST, h0, line, sizeof(line)), 0);
	assert_string_equal(line, "veth");
	assert_int_equal(mn_nl_link_kind(&MN_NL_NS_HOST, p0, line, sizeof(line)), -ENODEV);

	/* the peer, born in a and nowhere else */
	assert_int_equal(if_nametoindex(p0), 0);
	assert_int_equal(mn_nl_link_index(&MN_NL_NS_HOST, p0), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->b, p0), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->a, p0), pidx);
	assert_int_equal(ip_ifindex(ns_a, p0), pidx);
	snprintf(line, sizeof(line), "%s", ip_link(ns_a, p0));
	assert_contains(line, " mtu 1400 ");
	assert_contains(line, "veth");
	assert_false(link_flag_up(line));
	snprintf(at, sizeof(at), "%s@if%d:", p0, hidx);
	assert_contains(line, at);

	/* indexes are optional */
	assert_ok(mn_nl_veth_create(h1, p1, &fx->b, 0, NULL, NULL, err, sizeof(err)), err);
	assert_true(ip_ifindex(ns_b, p1) > 0);
}

void veth_default_mtu_host_peer(void **state)
{
	char err[ERRLEN];
	int hidx, pidx;

	/* MTU 0: the kernel's default; peer in the caller's namespace */
	assert_ok(mn_nl_veth_create(h0, p0, &MN_NL_NS_HOST, 0, &hidx, &pidx, err, sizeof(err)), err);
	assert_contains(ip_link(NULL, h0), " mtu 1500 ");
	assert_contains(ip_link(NULL, p0), " mtu 1500 ");
	assert_int_equal(pidx, (int)if_nametoindex(p0));
	assert_int_equal(hidx, (int)if_nametoindex(h0));
}

void veth_create_errors(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_ns bad = { .fd = -1, .name = "devnull" };
	char err[ERRLEN], want[256];
	int hidx = -7, pidx = -7;

	make_pair(fx, false);

	/* the host name is taken: nothing is created in b */
	err[0] = '\0';
	assert_int_equal(mn_nl_veth_create(h0, p1, &fx->b, 0, &hidx, &pidx, err, sizeof(err)),
			 -EEXIST);
	snprintf(want, sizeof(want), "cannot create veth %s with peer %s in netns %s: File exists",
		 h0, p1, ns_b);
	assert_starts_with(err, want);
	assert_int_equal(hidx, -7);
	assert_int_equal(pidx, -7);
	assert_int_equal(mn_nl_link_index(&fx->b, p1), -ENODEV);

	/* the peer name is taken in a: the host end is not left over */
	assert_int_equal(mn_nl_veth_create(h1, p0, &fx->a, 0, NULL, NULL, err, sizeof(err)),
			 -EEXIST);
	assert_int_equal(if_nametoindex(h1), 0);

	/* names the kernel would refuse, or libnl silently cut */
	assert_int_equal(mn_nl_veth_create("abcdefghijklmnop", p1, &fx->b, 0, NULL, NULL, err,
					   sizeof(err)),
			 -EINVAL);
	assert_contains(err, "invalid interface name");
	assert_int_equal(mn_nl_veth_create(h1, "", &fx->b, 0, NULL, NULL, err, sizeof(err)),
			 -EINVAL);

	/* a peer "namespace" that is not one */
	bad.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(bad.fd >= 0);
	assert_true(mn_nl_veth_create(h1, p1, &bad, 0, NULL, NULL, err, sizeof(err)) < 0);
	assert_contains(err, "in netns devnull: ");
	close(bad.fd);
	assert_int_equal(if_nametoindex(h1), 0);
	assert_int_equal(if_nametoindex(p1), 0);

	/* an MTU veth refuses */
	assert_int_equal(mn_nl_veth_create(h1, p1, &fx->b, 10, NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(if_nametoindex(h1), 0);
}

void netkit_create(void **state)
{
	struct fixture *fx = *state;
	char err[ERRLEN], want[256], line[1024], at[32];
	int hidx = 0, pidx = 0, rc;
	uint8_t mac[6];

	err[0] = '\0';
	rc = mn_nl_netkit_create(h0, p0, &fx->a, 1400, &hidx, &pidx, err, sizeof(err));
	if (rc == -EOPNOTSUPP) {
		/* a kernel without CONFIG_NETKIT, like the test kernel */
		snprintf(want, sizeof(want),
			 "cannot create netkit %s with peer %s in netns %s: Operation not supported",
			 h0, p0, ns_a);
		assert_starts_with(err, want);
		print_message("netkit: not in this kernel (%s)\n", err);
		assert_int_equal(if_nametoindex(h0), 0);
		assert_int_equal(mn_nl_link_index(&fx->a, p0), -ENODEV);
		/* no such primary: the policy cannot be set, and says so */
		assert_int_equal(mn_nl_netkit_set_peer_policy(h0, true, err, sizeof(err)), -ENODEV);
		snprintf(want, sizeof(want), "cannot set the peer policy of netkit %s to forward",
			 h0);
		assert_starts_with(err, want);
		return;
	}
	if (rc != 0)
		fail_msg("netkit: %d: %s", rc, err);

	/* primary here: L3, forward; peer in a: blackhole until BPF */
	assert_int_equal(hidx, (int)if_nametoindex(h0));
	snprintf(line, sizeof(line), "%s", ip_link(NULL, h0));
	print_message("netkit: %s", line);
	assert_contains(line, "netkit mode l3 ");
	assert_contains(line, "type primary policy forward peer policy blackhole");
	/* scrub: not sent, the kernel's default (shown since 6.13-ish) */
	if (strstr(line, "scrub"))
		assert_contains(line, "scrub default peer scrub default");
	assert_contains(line, " mtu 1400 ");
	assert_false(link_flag_up(line));
	snprintf(at, sizeof(at), "%s@if%d:", h0, pidx);
	assert_contains(line, at);
	/* L3: no MAC, so multinicd adds no neighbour for it */
	assert_int_equal(mn_nl_link_mac(&MN_NL_NS_HOST, h0, mac, err, sizeof(err)), -EINVAL);

	assert_int_equal(mn_nl_link_index(&MN_NL_NS_HOST, p0), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->a, p0), pidx);
	assert_int_equal(ip_ifindex(ns_a, p0), pidx);
	snprintf(line, sizeof(line), "%s", ip_link(ns_a, p0));
	print_message("netkit peer: %s", line);
	assert_contains(line, "netkit mode l3 ");
	assert_contains(line, "type peer policy blackhole peer policy forward");
	assert_contains(line, " mtu 1400 ");
	assert_false(link_flag_up(line));
	snprintf(at, sizeof(at), "%s@if%d:", p0, hidx);
	assert_contains(line, at);

	/* multinicd tells an adopted pair's kind from the kernel */
	assert_int_equal(mn_nl_link_kind(&MN_NL_NS_HOST, h0, line, sizeof(line)), 0);
	assert_string_equal(line, "netkit");

	/* the task's datapath is in place: the peer forwards, and back */
	assert_ok(mn_nl_netkit_set_peer_policy(h0, true, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", ip_link(NULL, h0));
	assert_contains(line, "type primary policy forward peer policy forward");
	assert_ok(mn_nl_netkit_set_peer_policy(h0, false, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", ip_link(NULL, h0));
	assert_contains(line, "type primary policy forward peer policy blackhole");

	/* the same names again: refused, nothing changed */
	assert_int_equal(mn_nl_netkit_create(h0, p1, &fx->b, 0, NULL, NULL, err, sizeof(err)),
			 -EEXIST);
	assert_int_equal(mn_nl_link_index(&fx->b, p1), -ENODEV);

	assert_ok(mn_nl_link_delete(&MN_NL_NS_HOST, h0, err, sizeof(err)), err);
	assert_int_equal(mn_nl_link_index(&fx->a, p0), -ENODEV);
}

void link_up_and_mtu(void **state)
{
	struct fixture *fx = *state;
	char err[ERRLEN], line[1024], want[256];

	make_pair(fx, false);

	assert_ok(mn_nl_link_up(&MN_NL_NS_HOST, h0, 9000, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", ip_link(NULL, h0));
	assert_true(link_flag_up(line));
	assert_contains(line, " mtu 9000 ");

	/* in a namespace; mtu 0 keeps the MTU */
	assert_ok(mn_nl_link_up(&fx->a, p0, 0, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", ip_link(ns_a, p0));
	assert_true(link_flag_up(line));
	assert_contains(line, " mtu 1500 ");
	assert_ok(mn_nl_link_up(&fx->a, p0, 1280, err, sizeof(err)), err);
	assert_contains(ip_link(ns_a, p0), " mtu 1280 ");
	/* already up: fine */
	assert_ok(mn_nl_link_up(&fx->a, p0, 0, err, sizeof(err)), err);

	/* missing link, bad MTU */
	assert_int_equal(mn_nl_link_up(&fx->b, p0, 0, err, sizeof(err)), -ENODEV);
	snprintf(want, sizeof(want), "cannot set link %s up in netns %s: No such device", p0, ns_b);
	assert_starts_with(err, want);
	assert_int_equal(mn_nl_link_up(&fx->a, p0, 10, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "cannot set link %s up with MTU 10 in netns %s: Invalid argument", p0, ns_a);
	assert_starts_with(err, want);
	assert_contains(ip_link(ns_a, p0), " mtu 1280 ");
}

void link_mac_read(void **state)
{
	struct fixture *fx = *state;
	char err[ERRLEN], want[256];
	uint8_t mac[6], zero[6] = { 0 };

	make_pair(fx, false);

	assert_ok(mn_nl_link_mac(&MN_NL_NS_HOST, h0, mac, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "link/ether %02x:%02x:%02x:%02x:%02x:%02x ", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	assert_contains(ip_link(NULL, h0), want);
	assert_memory_not_equal(mac, zero, 6);

	assert_ok(mn_nl_link_mac(&fx->a, p0, mac, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "link/ether %02x:%02x:%02x:%02x:%02x:%02x ", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	assert_contains(ip_link(ns_a, p0), want);

	assert_int_equal(mn_nl_link_mac(&fx->b, p0, mac, err, sizeof(err)), -ENODEV);
	assert_contains(err, "No such device");

	/* all zeros is no MAC either (lo; a netkit in L3 mode) */
	assert_int_equal(mn_nl_link_mac(&fx->a, "lo", mac, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "cannot read the MAC address of lo in netns %s: the link has none", ns_a);
	assert_string_equal(err, want);

	/* an L3 device: a tun device has no link-layer address */
	if (run("ip -n %s tuntap add dev %s mode tun", ns_b, p1) != 0)
		skip(); /* no /dev/net/tun here */
	assert_int_equal(mn_nl_link_mac(&fx->b, p1, mac, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "cannot read the MAC address of %s in netns %s: the link has none", p1, ns_b);
	assert_string_equal(err, want);
}

void link_delete_pair(void **state)
{
	struct fixture *fx = *state;
	char err[ERRLEN], want[256];
	int hidx, pidx;

	make_pair(fx, false);
	assert_ok(mn_nl_link_delete(&MN_NL_NS_HOST, h0, err, sizeof(err)), err);
	assert_int_equal(mn_nl_link_index(&MN_NL_NS_HOST, h0), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->a, p0), -ENODEV);

	err[0] = '\0';
	assert_int_equal(mn_nl_link_delete(&MN_NL_NS_HOST, h0, err, sizeof(err)), -ENODEV);
	snprintf(want, sizeof(want), "cannot delete link %s in netns host: No such device", h0);
	assert_starts_with(err, want);
	assert_int_equal(mn_nl_link_delete(&MN_NL_NS_HOST, h0, NULL, 0), -ENODEV);

	/* from the task's side: the host end goes too */
	assert_ok(mn_nl_veth_create(h1, p1, &fx->b, 0, &hidx, &pidx, err, sizeof(err)), err);
	assert_ok(mn_nl_link_delete(&fx->b, p1, err, sizeof(err)), err);
	assert_int_equal(if_nametoindex(h1), 0);
	assert_int_equal(mn_nl_link_delete(&fx->b, p1, err, sizeof(err)), -ENODEV);
	snprintf(want, sizeof(want), "cannot delete link %s in netns %s: No such device", p1, ns_b);
	assert_starts_with(err, want);
}

/* What the link listing saw, one "name index kind" line per link. */
struct links_seen {
	char text[4096];
	const struct mn_nl_ns *del_in; /* delete each veth seen there */
};

static void link_seen(const struct mn_nl_link_info *link, void *arg)
{
	struct links_seen *seen = arg;
	size_t n = strlen(seen->text);
	char err[ERRLEN];

	snprintf(seen->text + n, sizeof(seen->text) - n, "%s %d %s%s%s\n", link->ifname,
		 link->ifindex, link->kind[0] ? link->kind : "-", link->alias[0] ? " " : "",
		 link->alias);
	if (seen->del_in && !strcmp(link->kind, "veth"))
		assert_ok(mn_nl_link_delete(seen->del_in, link->ifname, err, sizeof(err)), err);
}

void links_dump_kinds(void **state)
{
	struct fixture *fx = *state;
	struct links_seen seen = {};
	struct mn_nl_ns ghost = { .fd = 1000, .name = "ghost" };
	char err[ERRLEN], want[256];
	int hidx, pidx;

	assert_ok(mn_nl_veth_create(h0, p0, &fx->a, 0, &hidx, &pidx, err, sizeof(err)), err);

	/* the namespace: its loopback (no kind) and our peer */
	assert_ok(mn_nl_links_dump(&fx->a, link_seen, &seen, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "lo 1 -\n%s %d veth\n", p0, pidx);
	assert_string_equal(seen.text, want);

	/* the host: among its links, our end, with the alias we gave it */
	assert_ok(mn_nl_link_set_alias(&MN_NL_NS_HOST, h0, "multinic task job1", err,
				       sizeof(err)),
		  err);
	seen.text[0] = '\0';
	assert_ok(mn_nl_links_dump(&MN_NL_NS_HOST, link_seen, &seen, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "\n%s %d veth multinic task job1\n", h0, hidx);
	assert_contains(seen.text, want);
	assert_not_contains(seen.text, p0);
	{
		struct mn_nl_link_attrs at;

		/* the host end's attributes: its alias, and its peer's ifindex */
		assert_ok(mn_nl_link_attrs(&MN_NL_NS_HOST, h0, &at, err, sizeof(err)), err);
		assert_int_equal(at.ifindex, hidx);
		assert_int_equal(at.iflink, pidx);
		assert_string_equal(at.kind, "veth");
		assert_string_equal(at.alias, "multinic task job1");
		assert_int_equal(mn_nl_link_attrs(&fx->a, "nosuchlink0", &at, err, sizeof(err)),
				 -ENODEV);
	}
	assert_int_equal(mn_nl_link_set_alias(&fx->a, "nosuchlink0", "x", err, sizeof(err)),
			 -ENODEV);
	assert_contains(err, "cannot set the alias of link nosuchlink0");

	/* another kind; and the callback may act on what it sees */
	if (run("ip -n %s tuntap add dev %s mode tun", ns_b, p1) != 0)
		skip(); /* no /dev/net/tun here */
	assert_ok(mn_nl_veth_create(h1, p0, &fx->b, 0, NULL, &pidx, err, sizeof(err)), err);
	seen.text[0] = '\0';
	seen.del_in = &fx->b;
	assert_ok(mn_nl_links_dump(&fx->b, link_seen, &seen, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "\n%s %d veth\n", p0, pidx);
	assert_contains(seen.text, want);
	snprintf(want, sizeof(want), "\n%s %d tun\n", p1, ip_ifindex(ns_b, p1));
	assert_contains(seen.text, want);
	assert_int_equal(mn_nl_link_index(&fx->b, p0), -ENODEV);
	assert_int_equal(if_nametoindex(h1), 0);

	/* a namespace that cannot be entered; no callback */
	assert_int_equal(mn_nl_links_dump(&ghost, link_seen, &seen, err, sizeof(err)), -EBADF);
	assert_string_equal(err, "cannot enter netns ghost: Bad file descriptor");
	assert_int_equal(mn_nl_links_dump(&fx->a, NULL, NULL, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "cannot list the links in netns %s: no callback", ns_a);
	assert_string_equal(err, want);
}

void link_index_lookup(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(mn_nl_link_index(&fx->a, "lo"), 1);
	assert_int_equal(mn_nl_link_index(&MN_NL_NS_HOST, "lo"), (int)if_nametoindex("lo"));
	assert_int_equal(mn_nl_link_index(&fx->a, p0), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->a, ""), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->a, "abcdefghijklmnop"), -ENODEV);
}
