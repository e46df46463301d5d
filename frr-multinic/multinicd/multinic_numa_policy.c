// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: what NUMA placement and receive steering decide from plain
 * facts (pure helpers, no FRR, no syscalls; see multinic_numa_policy.h),
 * unit-tested in tests/unit/test_multinic_numa.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multinic_numa_policy.h"

/*
 * Sets and lists
 */

unsigned int mn_numa_set_count(const struct mn_numa_set *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < MN_NUMA_CPUS_MAX / 64; i++)
		n += __builtin_popcountll(s->w[i]);
	return n;
}

int mn_numa_set_next(const struct mn_numa_set *s, int i)
{
	unsigned int j;

	for (j = i + 1; j < MN_NUMA_CPUS_MAX; j++) {
		uint64_t rest = s->w[j / 64] >> (j % 64);

		if (rest)
			return j + __builtin_ctzll(rest);
		j |= 63; /* the rest of this word is empty */
	}
	return -1;
}

int mn_numa_set_first(const struct mn_numa_set *s)
{
	return mn_numa_set_next(s, -1);
}

/* A decimal number below max at *p; advances p.  -1 when there is none. */
static long list_number(const char **p, unsigned int max)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)**p))
		return -1;
	errno = 0;
	v = strtol(*p, &end, 10);
	if (errno || v < 0 || v >= (long)max)
		return -2;
	*p = end;
	return v;
}

int mn_numa_list_parse(const char *s, unsigned int max, struct mn_numa_set *set, char *err,
		       size_t errlen)
{
	struct mn_numa_set out = {};
	const char *p = s;
	long lo, hi, i;

	if (max > MN_NUMA_CPUS_MAX)
		max = MN_NUMA_CPUS_MAX;
	while (*p && *p != '\n') {
		lo = list_number(&p, max);
		hi = lo;
		if (lo >= 0 && *p == '-') {
			p++;
			hi = list_number(&p, max);
		}
		if (lo == -2 || hi == -2) {
			snprintf(err, errlen, "\"%s\": a member is not below %u", s, max);
			return -1;
		}
		if (lo < 0 || hi < 0 || (*p && *p != ',' && *p != '\n')) {
			snprintf(err, errlen, "\"%s\" is not a list such as 0-3,8", s);
			return -1;
		}
		if (hi < lo) {
			snprintf(err, errlen, "\"%s\": range %ld-%ld is reversed", s, lo, hi);
			return -1;
		}
		for (i = lo; i <= hi; i++)
			mn_numa_set_add(&out, i);
		if (*p == ',')
			p++;
	}
	if (*p == '\n' && p[1]) {
		snprintf(err, errlen, "\"%s\" has more than one line", s);
		return -1;
	}
	*set = out;
	return 0;
}

const char *mn_numa_list_format(const struct mn_numa_set *set, char *buf, size_t len)
{
	size_t used = 0;
	int lo, hi;

	if (len)
		buf[0] = '\0';
	for (lo = mn_numa_set_first(set); lo >= 0 && used < len; lo = mn_numa_set_next(set, hi)) {
		hi = lo;
		while (mn_numa_set_has(set, hi + 1))
			hi++;
		if (hi == lo)
			used += snprintf(buf + used, len - used, "%s%d", used ? "," : "", lo);
		else
			used += snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", lo, hi);
	}
	return buf;
}

int mn_numa_cpu_node(const struct mn_numa_topology *topo, unsigned int cpu)
{
	int node;

	for (node = mn_numa_set_first(&topo->nodes); node >= 0 && node < MN_NUMA_NODES_MAX;
	     node = mn_numa_set_next(&topo->nodes, node))
		if (mn_numa_set_has(&topo->cpus[node], cpu))
			return node;
	return MN_NUMA_NODE_NONE;
}

int mn_numa_node_of_cpus(const struct mn_numa_topology *topo, const struct mn_numa_set *cpus)
{
	int cpu, node = MN_NUMA_NODE_NONE, n;

	for (cpu = mn_numa_set_first(cpus); cpu >= 0; cpu = mn_numa_set_next(cpus, cpu)) {
		n = mn_numa_cpu_node(topo, cpu);
		if (n == MN_NUMA_NODE_NONE || (node != MN_NUMA_NODE_NONE && n != node))
			return MN_NUMA_NODE_NONE;
		node = n;
	}
	return node;
}

int mn_numa_node_of_mems(const struct mn_numa_set *mems)
{
	int node = mn_numa_set_first(mems);

	if (node < 0 || node >= MN_NUMA_NODES_MAX || mn_numa_set_next(mems, node) >= 0)
		return MN_NUMA_NODE_NONE;
	return node;
}

bool mn_numa_mems_unpinned(const struct mn_numa_set *mems, const struct mn_numa_topology *topo)
{
	int node;

	if (mn_numa_set_count(&topo->nodes) < 2)
		return false;
	for (node = mn_numa_set_first(&topo->nodes); node >= 0;
	     node = mn_numa_set_next(&topo->nodes, node))
		if (!mn_numa_set_has(mems, node))
			return false;
	return true;
}

/*
 * cgroups
 */

/* Copy the n-th space-separated field of line (from 0) into buf. */
static bool field(const char *line, unsigned int n, char *buf, size_t len)
{
	const char *p = line, *end;

	while (*p == ' ')
		p++;
	for (; n > 0; n--) {
		p = strchr(p, ' ');
		if (!p)
			return false;
		while (*p == ' ')
			p++;
	}
	end = p + strcspn(p, " \n");
	if (end == p || (size_t)(end - p) >= len)
		return false;
	memcpy(buf, p, end - p);
	buf[end - p] = '\0';
	return true;
}

/* Whether the comma-separated list has the word. */
static bool list_has(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;

	while (p && *p) {
		size_t l = strcspn(p, ",\n");

		if (l == wl && !strncmp(p, word, wl))
			return true;
		p += l;
		if (*p == ',')
			p++;
		else
			break;
	}
	return false;
}

/*
 * mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] -
 * FSTYPE SOURCE SUPEROPTIONS" (proc(5)).
 */
enum mn_cgroup_kind mn_mountinfo_cgroup(const char *line, char *mnt, size_t mntlen, char *root,
					size_t rootlen)
{
	char fstype[32], superopts[256];
	const char *sep = strstr(line, " - ");

	if (!sep || !field(sep + 3, 0, fstype, sizeof(fstype)))
		return MN_CGROUP_NONE;
	if (!field(line, 3, root, rootlen) || !field(line, 4, mnt, mntlen))
		return MN_CGROUP_NONE;
	if (!strcmp(fstype, "cgroup2"))
		return MN_CGROUP_V2;
	if (strcmp(fstype, "cgroup") || !field(sep + 3, 2, superopts, sizeof(superopts)))
		return MN_CGROUP_NONE;
	return list_has(superopts, "cpuset") ? MN_CGROUP_V1_CPUSET : MN_CGROUP_NONE;
}

/* "HIERARCHY-ID:CONTROLLERS:PATH" per line (cgroups(7)). */
void mn_proc_cgroup_parse(const char *content, char *v2, size_t v2len, char *v1_cpuset,
			  size_t v1len)
{
	const char *line = content;

	v2[0] = v1_cpuset[0] = '\0';
	while (line && *line) {
		const char *c1 = strchr(line, ':'), *c2, *eol = line + strcspn(line, "\n");
		char ctrls[256];
		size_t l;

		c2 = c1 && c1 < eol ? strchr(c1 + 1, ':') : NULL;
		if (c2 && c2 < eol) {
			l = c2 - c1 - 1;
			if (l < sizeof(ctrls)) {
				memcpy(ctrls, c1 + 1, l);
				ctrls[l] = '\0';
				l = eol - c2 - 1;
				if (!strncmp(line, "0::", 3) && l < v2len) {
					memcpy(v2, c2 + 1, l);
					v2[l] = '\0';
				} else if (list_has(ctrls, "cpuset") && l < v1len) {
					memcpy(v1_cpuset, c2 + 1, l);
					v1_cpuset[l] = '\0';
				}
			}
		}
		line = *eol ? eol + 1 : NULL;
	}
}

bool mn_cgroup_dir(const char *mnt, const char *root, const char *cgroup, char *buf, size_t len)
{
	size_t rl = strlen(root);
	const char *rest = cgroup;
	int n;

	if (cgroup[0] != '/' || strstr(cgroup, "/../") || strstr(cgroup, " (deleted)"))
		return false;
	if (strcmp(root, "/")) {
		/* a mount of a sub-tree shows only what lies below its root */
		if (strncmp(cgroup, root, rl) || (cgroup[rl] && cgroup[rl] != '/'))
			return false;
		rest = cgroup + rl;
	}
	while (*rest == '/')
		rest++;
	n = snprintf(buf, len, "%s%s%s", mnt, *rest ? "/" : "", rest);
	return n > 0 && (size_t)n < len;
}

const char *mn_cgroup_mems_file(enum mn_cgroup_kind kind)
{
	return kind == MN_CGROUP_V1_CPUSET ? "cpuset.effective_mems" : "cpuset.mems.effective";
}

bool mn_cgroup_dir_parent(char *dir, const char *mnt)
{
	size_t ml = strlen(mnt);
	char *slash;

	if (strlen(dir) <= ml || strncmp(dir, mnt, ml))
		return false;
	slash = strrchr(dir, '/');
	if (!slash || (size_t)(slash - dir) < ml)
		return false;
	*slash = '\0';
	return true;
}

/*
 * Placement
 */

const char *mn_numa_policy_name(enum mn_numa_policy policy)
{
	switch (policy) {
	case MN_NUMA_PREFER:
		return "prefer";
	case MN_NUMA_STRICT:
		return "strict";
	case MN_NUMA_IGNORE:
		return "ignore";
	}
	return "unknown";
}

const char *mn_numa_choice_name(enum mn_numa_choice choice)
{
	switch (choice) {
	case MN_NUMA_ALL:
		return "all NICs";
	case MN_NUMA_LOCAL:
		return "local NICs";
	case MN_NUMA_SPILL_NO_NIC:
		return "all NICs (spilled: no NIC on the task's node)";
	case MN_NUMA_SPILL_DOWN:
		return "all NICs (spilled: no local NIC is up)";
	case MN_NUMA_SPILL_LOADED:
		return "all NICs (spilled: the local NICs are loaded past the threshold)";
	case MN_NUMA_STRICT_NO_NIC:
		return "none (numa-policy strict: no NIC on the task's node)";
	case MN_NUMA_STRICT_DOWN:
		return "none (numa-policy strict: no local NIC is up)";
	}
	return "unknown";
}

bool mn_numa_nic_local(int nic_node, int task_node)
{
	return nic_node == MN_NUMA_NODE_NONE || nic_node == task_node;
}

static uint64_t all_members(unsigned int n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

uint64_t mn_numa_local_members(int task_node, const struct mn_numa_nic *nics, unsigned int n)
{
	uint64_t local = 0;
	unsigned int i;

	if (task_node == MN_NUMA_NODE_NONE)
		return all_members(n);
	for (i = 0; i < n && i < 64; i++)
		if (mn_numa_nic_local(nics[i].node, task_node))
			local |= 1ULL << i;
	return local;
}

uint64_t mn_numa_members(enum mn_numa_policy policy, int task_node, const struct mn_numa_nic *nics,
			 unsigned int n, enum mn_numa_choice *choice)
{
	uint64_t local, usable = 0, unloaded = 0;
	bool strict = policy == MN_NUMA_STRICT;
	unsigned int i;

	*choice = MN_NUMA_ALL;
	if (policy == MN_NUMA_IGNORE || task_node == MN_NUMA_NODE_NONE)
		return all_members(n);
	local = mn_numa_local_members(task_node, nics, n);
	for (i = 0; i < n && i < 64; i++) {
		if (!(local & (1ULL << i)) || !nics[i].usable)
			continue;
		usable |= 1ULL << i;
		if (!nics[i].loaded)
			unloaded |= 1ULL << i;
	}
	if (!local) {
		*choice = strict ? MN_NUMA_STRICT_NO_NIC : MN_NUMA_SPILL_NO_NIC;
		return strict ? 0 : all_members(n);
	}
	if (!usable) {
		*choice = strict ? MN_NUMA_STRICT_DOWN : MN_NUMA_SPILL_DOWN;
		/* strict keeps its (down) NICs: nothing else may take the flows */
		return strict ? local : all_members(n);
	}
	if (!unloaded && !strict) {
		*choice = MN_NUMA_SPILL_LOADED;
		return all_members(n);
	}
	*choice = local == all_members(n) ? MN_NUMA_ALL : MN_NUMA_LOCAL;
	return local;
}

bool mn_numa_nic_loaded(bool was, uint64_t tx_bps, uint32_t speed_mbps, unsigned int threshold_pct)
{
	unsigned int pct = threshold_pct;
	/* in bits per second, times 100: no overflow below 1.8e17 bit/s */
	uint64_t capacity = (uint64_t)speed_mbps * 1000000ULL;

	if (!speed_mbps || !threshold_pct)
		return false;
	/*
	 * A loaded NIC is released below threshold - hysteresis, the
	 * hysteresis at most half the threshold: a release point of 0 would
	 * keep an idle NIC loaded for ever (0 >= 0).
	 */
	if (was)
		pct -= pct / 2 < MN_NUMA_SPILL_HYSTERESIS ? pct / 2 : MN_NUMA_SPILL_HYSTERESIS;
	return tx_bps * 100 >= capacity * pct;
}

/*
 * Receive steering
 */

const char *mn_steering_mode_name(enum mn_steering_mode mode)
{
	switch (mode) {
	case MN_STEER_OFF:
		return "off";
	case MN_STEER_AUTO:
		return "auto";
	case MN_STEER_XDP:
		return "xdp";
	case MN_STEER_HARDWARE:
		return "hardware";
	}
	return "unknown";
}

const char *mn_steer_method_name(enum mn_steer_method method)
{
	switch (method) {
	case MN_STEER_M_NONE:
		return "none";
	case MN_STEER_M_XDP:
		return "xdp";
	case MN_STEER_M_HARDWARE:
		return "hardware";
	}
	return "unknown";
}

/* Why the NIC cannot steer in hardware; NULL when it can. */
unsigned int mn_steer_irq_nodes(const struct mn_steer_caps *caps)
{
	struct mn_numa_set nodes = {};
	unsigned int i;

	for (i = 0; i < caps->n_irqs && i < MN_STEER_IRQS_MAX; i++)
		if (caps->irq[i].node >= 0 && caps->irq[i].node < MN_NUMA_NODES_MAX)
			mn_numa_set_add(&nodes, caps->irq[i].node);
	return mn_numa_set_count(&nodes);
}

static const char *hardware_missing(const struct mn_steer_caps *caps)
{
	if (!caps->rss_contexts)
		return "the NIC cannot create RSS contexts";
	if (!caps->ntuple)
		return "the NIC takes no ntuple rules";
	if (!caps->ntuple_on)
		return "the NIC's ntuple filters are off (ethtool -K NIC ntuple on)";
	if (caps->rings < 2)
		return "the NIC has a single receive queue";
	if (mn_steer_irq_nodes(caps) < 2)
		return "the NIC's queue interrupts are not pinned to more than one node";
	return NULL;
}

enum mn_steer_method mn_steer_method_pick(enum mn_steering_mode mode,
					  const struct mn_steer_caps *caps, char *why,
					  size_t len)
{
	const char *missing = hardware_missing(caps);

	switch (mode) {
	case MN_STEER_OFF:
		snprintf(why, len, "receive-steering off");
		return MN_STEER_M_NONE;
	case MN_STEER_HARDWARE:
		if (missing) {
			snprintf(why, len, "receive-steering hardware: %s", missing);
			return MN_STEER_M_NONE;
		}
		snprintf(why, len, "an RSS context per node and an ntuple rule per VIP");
		return MN_STEER_M_HARDWARE;
	case MN_STEER_AUTO:
		if (!missing) {
			snprintf(why, len, "an RSS context per node and an ntuple rule per VIP");
			return MN_STEER_M_HARDWARE;
		}
		/* XDP where the NIC cannot */
		__attribute__((fallthrough));
	case MN_STEER_XDP:
		if (!caps->xdp) {
			snprintf(why, len, "the steering program cannot run on this host (no XDP cpumap)");
			return MN_STEER_M_NONE;
		}
		if (mode == MN_STEER_AUTO)
			snprintf(why, len, "the steering program (XDP, cpumap): %s", missing);
		else
			snprintf(why, len, "the steering program (XDP, cpumap)");
		return MN_STEER_M_XDP;
	}
	snprintf(why, len, "unknown receive-steering mode");
	return MN_STEER_M_NONE;
}

int mn_steer_cpu(const struct mn_numa_set *node_cpus, uint32_t hash)
{
	unsigned int n = mn_numa_set_count(node_cpus), k;
	int cpu;

	if (!n)
		return -1;
	k = hash % n;
	for (cpu = mn_numa_set_first(node_cpus); k > 0; k--)
		cpu = mn_numa_set_next(node_cpus, cpu);
	return cpu;
}
