// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Netlink tests: rules (test_multinic_netlink.c says how they run).
 */
#include "netlink_test.h"

/*
 * Rules
 */

void rule_v4_iif(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_rule r = {
		.src = pfx("10.20.0.1/32"),
		.iifname = p0,
		.table = 100,
		.priority = 1000,
	};
	char err[ERRLEN], want[256];

	make_pair(fx, false);

	assert_ok(mn_nl_rule_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "1000:\tfrom 10.20.0.1 iif %s lookup 100 proto 199\n", p0);
	assert_contains(out("ip -N -n %s -4 rule show", ns_a), want);
	assert_string_equal(out("ip -N -n %s -4 rule show pref 1000", ns_a), want);

	err[0] = '\0';
	assert_int_equal(mn_nl_rule_add(&fx->a, &r, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want),
		 "cannot add rule from 10.20.0.1/32 iif %s lookup 100 priority 1000 in netns %s: File exists",
		 p0, ns_a);
	assert_starts_with(err, want);

	/* iif names need not exist (yet); table 0 is main */
	r.iifname = "nothere0";
	r.table = 0;
	r.priority = 1001;
	assert_ok(mn_nl_rule_add(&fx->a, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s -4 rule show pref 1001", ns_a),
			    "1001:\tfrom 10.20.0.1 iif nothere0 [detached] lookup 254 proto 199\n");
	assert_ok(mn_nl_rule_del(&fx->a, &r, err, sizeof(err)), err);

	r.iifname = p0;
	r.table = 100;
	r.priority = 1000;
	assert_ok(mn_nl_rule_del(&fx->a, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s -4 rule show pref 1000", ns_a), "");
	assert_int_equal(mn_nl_rule_del(&fx->a, &r, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want),
		 "cannot delete rule from 10.20.0.1/32 iif %s lookup 100 priority 1000 in netns %s: No such file or directory",
		 p0, ns_a);
	assert_starts_with(err, want);
}

void rule_v6(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_rule r = {
		.src = pfx("fd00:20::/64"),
		.table = 1000,
		.priority = 2000,
	};
	struct mn_nl_rule bad = { .src = { .family = AF_UNSPEC } };
	char err[ERRLEN], want[256];

	assert_ok(mn_nl_rule_add(&fx->b, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s -6 rule show pref 2000", ns_b),
			    "2000:\tfrom fd00:20::/64 lookup 1000 proto 199\n");
	/* a v4 rule of the same priority is another rule */
	assert_string_equal(out("ip -N -n %s -4 rule show pref 2000", ns_b), "");
	assert_int_equal(mn_nl_rule_add(&fx->b, &r, err, sizeof(err)), -EEXIST);
	assert_ok(mn_nl_rule_del(&fx->b, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s -6 rule show pref 2000", ns_b), "");
	assert_int_equal(mn_nl_rule_del(&fx->b, &r, err, sizeof(err)), -ENOENT);

	assert_int_equal(mn_nl_rule_add(&fx->b, &bad, err, sizeof(err)), -EINVAL);
	assert_int_equal(mn_nl_rule_add(&fx->b, NULL, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "cannot add rule (null) in netns %s: Invalid argument", ns_b);
	assert_string_equal(err, want);
	r.iifname = "abcdefghijklmnop";
	assert_int_equal(mn_nl_rule_add(&fx->b, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(out("ip -N -n %s -6 rule show pref 2000", ns_b), "");
}

/* What the rule listing saw: one line per rule, as "ip rule" words it. */
struct rules_seen {
	char text[2048];
	const struct mn_nl_ns *del_in; /* delete each rule seen there */
	int deleted;
};

static void rule_seen(const struct mn_nl_rule *r, void *arg)
{
	struct rules_seen *seen = arg;
	size_t n = strlen(seen->text);
	char err[ERRLEN];

	snprintfrr(seen->text + n, sizeof(seen->text) - n, "%u: from %pFX%s%s lookup %u\n",
		   r->priority, &r->src, r->iifname ? " iif " : "", r->iifname ? r->iifname : "",
		   r->table);
	/* what the listing gives is what deleting takes */
	if (seen->del_in) {
		assert_ok(mn_nl_rule_del(seen->del_in, r, err, sizeof(err)), err);
		seen->deleted++;
	}
}

void rules_dump_ours(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_rule v4 = {
		.src = pfx("10.20.0.1/32"), .iifname = p0, .table = 100, .priority = 1000
	};
	struct mn_nl_rule all4 = { .src = pfx("0.0.0.0/0"), .table = 0, .priority = 1001 };
	struct mn_nl_rule v6 = { .src = pfx("fd00:20::/64"), .table = 1000, .priority = 2000 };
	struct rules_seen seen = {};
	char err[ERRLEN], want[512];

	assert_ok(mn_nl_rule_add(&fx->b, &v4, err, sizeof(err)), err);
	assert_ok(mn_nl_rule_add(&fx->b, &all4, err, sizeof(err)), err);
	assert_ok(mn_nl_rule_add(&fx->b, &v6, err, sizeof(err)), err);
	/* not ours: another protocol, and the kernel's own rules */
	assert_int_equal(run("ip -n %s rule add from 10.9.0.0/16 lookup 100 pref 1002 proto static",
			     ns_b),
			 0);
	assert_int_equal(run("ip -n %s -6 rule add from fd00:9::/64 lookup 100 pref 2001", ns_b), 0);

	assert_ok(mn_nl_rules_dump(&fx->b, AF_INET, rule_seen, &seen, err, sizeof(err)), err);
	snprintf(want, sizeof(want),
		 "1000: from 10.20.0.1/32 iif %s lookup 100\n1001: from 0.0.0.0/0 lookup 254\n", p0);
	assert_string_equal(seen.text, want);

	seen.text[0] = '\0';
	assert_ok(mn_nl_rules_dump(&fx->b, AF_INET6, rule_seen, &seen, err, sizeof(err)), err);
	assert_string_equal(seen.text, "2000: from fd00:20::/64 lookup 1000\n");

	/* both families; deleting each from the callback */
	seen.text[0] = '\0';
	seen.del_in = &fx->b;
	assert_ok(mn_nl_rules_dump(&fx->b, AF_UNSPEC, rule_seen, &seen, err, sizeof(err)), err);
	assert_int_equal(seen.deleted, 3);
	assert_contains(seen.text, "2000: from fd00:20::/64 lookup 1000\n");
	assert_contains(seen.text, "1001: from 0.0.0.0/0 lookup 254\n");
	assert_not_contains(out("ip -N -n %s rule show", ns_b), "proto 199");
	assert_contains(out("ip -n %s rule show pref 1002", ns_b), "from 10.9.0.0/16 lookup 100");
	assert_contains(out("ip -n %s -6 rule show pref 2001", ns_b), "from fd00:9::/64 lookup 100");

	/* none left of ours: nothing to call back */
	seen.text[0] = '\0';
	seen.del_in = NULL;
	assert_ok(mn_nl_rules_dump(&fx->b, AF_UNSPEC, rule_seen, &seen, err, sizeof(err)), err);
	assert_string_equal(seen.text, "");

	/* bad arguments */
	assert_int_equal(mn_nl_rules_dump(&fx->b, AF_PACKET, rule_seen, &seen, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want),
		 "cannot list the rules of address family %d in netns %s: Invalid argument",
		 AF_PACKET, ns_b);
	assert_string_equal(err, want);
	assert_int_equal(mn_nl_rules_dump(&fx->b, AF_INET, NULL, NULL, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "cannot list the IPv4 rules in netns %s: no callback", ns_b);
	assert_string_equal(err, want);
}
