// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: NUMA placement in the kernel datapath (see multinic_kernel_numa.h).
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/prefix.h"

#include "multinic_debug.h"
#include "multinic_kernel.h"
#include "multinic_kernel_numa.h"
#include "multinic_nic_policy.h"

/* After the egress table's two groups (mn_zapi_nhg_base() + afi). */
#define NUMA_NHG_OFFSET 16

/* What a node table holds for a family. */
enum node_route { NODE_ROUTE_NONE, NODE_ROUTE_NHG, NODE_ROUTE_UNREACHABLE };

struct node_family {
	enum node_route route;
	bool nhg_installed;
	unsigned int members; /* next hops in the group */
	enum mn_numa_choice choice;
};

static struct node_family tables[MN_NUMA_NODES_MAX][AFI_MAX];

uint32_t mn_kernel_numa_table(int node)
{
	if (node < 0 || node >= MN_NUMA_NODES_MAX)
		return MN_EGRESS_TABLE;
	return MN_NUMA_TABLE_BASE + node;
}

static uint32_t node_nhg_id(int node, afi_t afi)
{
	return mn_zapi_nhg_base() + NUMA_NHG_OFFSET + node * AFI_MAX + afi;
}

static bool nic_usable(const struct mn_dp_nic *nic, afi_t afi)
{
	return nic->up && nic->has_gw[afi];
}

unsigned int mn_kernel_nexthops(const struct mn_dp_nic *nics, unsigned int n, uint64_t members,
				afi_t afi, struct mn_zapi_nh *nh, unsigned int max)
{
	uint16_t wmax = 1;
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		if (nic_usable(&nics[i], afi) && (i >= 64 || (members >> i) & 1))
			wmax = MAX(wmax, nics[i].weight);
	for (i = 0; i < n && k < max; i++) {
		const struct mn_dp_nic *nic = &nics[i];

		if (!nic_usable(nic, afi) || (i < 64 && !((members >> i) & 1)))
			continue;
		nh[k].ifindex = nic->ifindex;
		nh[k].has_gate = true;
		nh[k].gate = nic->gw[afi];
		/* the one conversion of the NIC weight scale (multinic_nic_policy.h) */
		nh[k].weight = mn_weight_to_nexthop(nic->weight, wmax);
		k++;
	}
	return k;
}

static void default_prefix(afi_t afi, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = afi2family(afi);
}

static void node_route_set(int node, afi_t afi, enum node_route want)
{
	struct node_family *f = &tables[node][afi];
	uint32_t table = mn_kernel_numa_table(node);
	struct prefix p;

	default_prefix(afi, &p);
	if (want == NODE_ROUTE_NHG && f->route != NODE_ROUTE_NHG)
		mn_zapi_route_nhg(true, &p, table, node_nhg_id(node, afi));
	else if (want == NODE_ROUTE_UNREACHABLE && f->route != NODE_ROUTE_UNREACHABLE)
		mn_zapi_route_nh(true, &p, table, NULL); /* replaces the route via the group */
	else if (want == NODE_ROUTE_NONE && f->route == NODE_ROUTE_NHG)
		mn_zapi_route_nhg(false, &p, table, 0);
	else if (want == NODE_ROUTE_NONE && f->route == NODE_ROUTE_UNREACHABLE)
		mn_zapi_route_nh(false, &p, table, NULL);
	if (want != f->route)
		DEBUGD(&mn_dbg_datapath, "kernel datapath: table %u %s default route: %s", table,
		       afi2str(afi),
		       want == NODE_ROUTE_NHG	      ? "via its nexthop group"
		       : want == NODE_ROUTE_UNREACHABLE ? "unreachable (numa-policy strict)"
						      : "removed");
	f->route = want;
}

static void node_nhg_remove(int node, afi_t afi)
{
	struct node_family *f = &tables[node][afi];

	if (!f->nhg_installed)
		return;
	/* zebra frees it once unused ("zebra nexthop-group keep") */
	mn_zapi_nhg_remove(node_nhg_id(node, afi));
	f->nhg_installed = false;
	f->members = 0;
}

/* The NICs as NUMA placement sees them for one family. */
static void numa_nics(const struct mn_dp_nic *nics, unsigned int n, afi_t afi,
		      struct mn_numa_nic *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		out[i].node = nics[i].numa_node;
		out[i].usable = nic_usable(&nics[i], afi);
		out[i].loaded = nics[i].loaded;
	}
}

static void node_family_update(int node, afi_t afi, const struct mn_dp_nic *nics, unsigned int n,
			       enum mn_numa_policy policy, bool want)
{
	struct node_family *f = &tables[node][afi];
	struct mn_numa_nic pn[64];
	struct mn_zapi_nh nh[MULTIPATH_NUM];
	unsigned int k = 0;
	uint64_t members;

	if (want) {
		numa_nics(nics, MIN(n, 64), afi, pn);
		members = mn_numa_members(policy, node, pn, MIN(n, 64), &f->choice);
		k = mn_kernel_nexthops(nics, n, members, afi, nh, array_size(nh));
	}
	if (k && mn_zapi_nhg_install(node_nhg_id(node, afi), afi2family(afi), nh, k,
				     MN_RESILIENT_BUCKETS)) {
		if (f->members != k)
			zlog_info("egress %s, NUMA node %d: %u NIC(s) in nexthop group %u (%s)",
				  afi2str(afi), node, k, node_nhg_id(node, afi),
				  mn_numa_choice_name(f->choice));
		f->nhg_installed = true;
		f->members = k;
		node_route_set(node, afi, NODE_ROUTE_NHG);
		return;
	}
	/*
	 * No NIC: strict keeps the node's traffic from leaving elsewhere;
	 * otherwise there is no NIC at all and the lookup goes on to the
	 * main table, as with the egress table.
	 */
	if (want && (f->choice == MN_NUMA_STRICT_DOWN || f->choice == MN_NUMA_STRICT_NO_NIC))
		node_route_set(node, afi, NODE_ROUTE_UNREACHABLE);
	else
		node_route_set(node, afi, NODE_ROUTE_NONE);
	node_nhg_remove(node, afi);
}

void mn_kernel_numa_update(const struct mn_dp_nic *nics, unsigned int n,
			   enum mn_numa_policy policy, const struct mn_numa_set *used, bool wanted)
{
	int node;
	afi_t afi;

	for (node = 0; node < MN_NUMA_NODES_MAX; node++) {
		bool want = wanted && mn_numa_set_has(used, node);

		for (afi = AFI_IP; afi <= AFI_IP6; afi++)
			if (want || tables[node][afi].route != NODE_ROUTE_NONE ||
			    tables[node][afi].nhg_installed)
				node_family_update(node, afi, nics, n, policy, want);
	}
}

bool mn_kernel_numa_describe(int node, afi_t afi, char *buf, size_t len)
{
	const struct node_family *f;

	if (node < 0 || node >= MN_NUMA_NODES_MAX)
		return false;
	f = &tables[node][afi];
	if (f->route == NODE_ROUTE_UNREACHABLE)
		snprintf(buf, len, "unreachable default route of table %u (NUMA node %d: %s)",
			 mn_kernel_numa_table(node), node, mn_numa_choice_name(f->choice));
	else
		snprintf(buf, len,
			 "id %u (%u NICs: %s), default route of table %u (the tasks of NUMA node %d)",
			 node_nhg_id(node, afi), f->members, mn_numa_choice_name(f->choice),
			 mn_kernel_numa_table(node), node);
	return f->route != NODE_ROUTE_NONE;
}

