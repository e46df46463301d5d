// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: NIC selection and state.
 */
#include <zebra.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "lib/frrevent.h"
#include "lib/if.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/vrf.h"
#include "lib/zclient.h"

#include "multinicd.h"
#include "multinic_datapath.h"
#include "multinic_debug.h"
#include "multinic_errors.h"
#include "multinic_netlink.h"
#include "multinic_nic.h"
#include "multinic_sysfs.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_NIC_CFG, "multinic NIC configuration");
DEFINE_MTYPE_STATIC(MULTINICD, MN_NIC_RULE, "multinic NIC match rule");
DEFINE_MTYPE_STATIC(MULTINICD, MN_NIC_RULE_STR, "multinic NIC match string");
DEFINE_MTYPE_STATIC(MULTINICD, MN_NIC, "multinic selected NIC");
DEFINE_MTYPE_STATIC(MULTINICD, MN_DEFAULT_GW, "multinic default gateways");
DEFINE_MTYPE_STATIC(MULTINICD, MN_NIC_DESC, "multinic NICs handed down");

DEFINE_HOOK(mn_nics_changed, (), ());

struct mn_nic_cfgs_head mn_nic_cfgs;
struct mn_nic_rules_head mn_nic_rules;
struct mn_nics_head mn_nics;

/*
 * Where the default routes leave, per address family, as zebra's
 * nexthop tracking last reported them.
 */
struct mn_default_gws {
	unsigned int count;
	ifindex_t *ifindex;
	union g_addr *gw;
};
static struct mn_default_gws default_gws[AFI_MAX];

/*
 * Configuration
 */

struct mn_nic_cfg *mn_nic_cfg_add(const char *name)
{
	struct mn_nic_cfg *cfg = XCALLOC(MTYPE_MN_NIC_CFG, sizeof(*cfg));

	strlcpy(cfg->name, name, sizeof(cfg->name));
	cfg->numa_node = MN_NUMA_NODE_NONE;
	mn_nic_cfgs_add(&mn_nic_cfgs, cfg);
	mn_nics_update();
	return cfg;
}

void mn_nic_cfg_del(struct mn_nic_cfg *cfg)
{
	mn_nic_cfgs_del(&mn_nic_cfgs, cfg);
	XFREE(MTYPE_MN_NIC_CFG, cfg);
	mn_nics_update();
}

void mn_nic_cfg_set_weight(struct mn_nic_cfg *cfg, uint16_t weight)
{
	cfg->weight = weight;
	mn_nics_update();
}

void mn_nic_cfg_set_speed(struct mn_nic_cfg *cfg, uint32_t speed)
{
	cfg->speed = speed;
	mn_nics_update();
}

void mn_nic_cfg_set_gateway(struct mn_nic_cfg *cfg, afi_t afi, const union g_addr *gw)
{
	struct mn_nic *nic = mn_nic_find(cfg->name);

	if (nic) /* another gateway: its neighbour state is read anew */
		nic->gw_neigh[afi] = -1;
	cfg->has_gw[afi] = gw != NULL;
	if (gw)
		cfg->gw[afi] = *gw;
	else
		memset(&cfg->gw[afi], 0, sizeof(cfg->gw[afi]));
	mn_nics_update();
}

void mn_nic_cfg_set_numa_node(struct mn_nic_cfg *cfg, int node)
{
	cfg->numa_node = node;
	mn_nics_update();
}

struct mn_nic_rule_cfg *mn_nic_rule_add(uint16_t seq)
{
	struct mn_nic_rule_cfg *rule = XCALLOC(MTYPE_MN_NIC_RULE, sizeof(*rule));

	rule->seq = seq;
	mn_nic_rules_add(&mn_nic_rules, rule);
	mn_nics_update();
	return rule;
}

static void mn_nic_rule_free(struct mn_nic_rule_cfg *rule)
{
	XFREE(MTYPE_MN_NIC_RULE_STR, rule->name_pattern);
	XFREE(MTYPE_MN_NIC_RULE_STR, rule->driver);
	XFREE(MTYPE_MN_NIC_RULE, rule);
}

void mn_nic_rule_del(struct mn_nic_rule_cfg *rule)
{
	mn_nic_rules_del(&mn_nic_rules, rule);
	mn_nic_rule_free(rule);
	mn_nics_update();
}

static void rule_str_set(char **field, const char *value)
{
	XFREE(MTYPE_MN_NIC_RULE_STR, *field);
	if (value)
		*field = XSTRDUP(MTYPE_MN_NIC_RULE_STR, value);
}

void mn_nic_rule_set_name(struct mn_nic_rule_cfg *rule, const char *pattern)
{
	rule_str_set(&rule->name_pattern, pattern);
	mn_nics_update();
}

void mn_nic_rule_set_driver(struct mn_nic_rule_cfg *rule, const char *driver)
{
	rule_str_set(&rule->driver, driver);
	mn_nics_update();
}

void mn_nic_rule_set_default_gw(struct mn_nic_rule_cfg *rule, bool on)
{
	rule->default_gw = on;
	mn_nics_update();
}

void mn_nic_config_clear(void)
{
	struct mn_nic_cfg *cfg;
	struct mn_nic_rule_cfg *rule;

	while ((cfg = mn_nic_cfgs_pop(&mn_nic_cfgs)))
		XFREE(MTYPE_MN_NIC_CFG, cfg);
	while ((rule = mn_nic_rules_pop(&mn_nic_rules)))
		mn_nic_rule_free(rule);
	mn_nics_update();
}

/*
 * Facts about interfaces that zebra does not report
 */

/* The driver, as "ethtool -i" shows it; "" for none (e.g. loopback). */
static void nic_read_driver(const char *name, char *buf, size_t len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = {};
	int fd;

	buf[0] = '\0';
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		strlcpy(buf, info.driver, len);
	close(fd);
}

/*
 * The NIC's NUMA node: the first numa_node attribute from its device up
 * its sysfs path; path gets the attribute read.  Virtual NICs have no
 * device: unknown ("" and NONE).
 */
static int nic_read_numa_node(const char *ifname, char *path, size_t len)
{
	char line[32];
	int node;

	if (!mn_sysfs_nic_device_find(ifname, "numa_node", path, len) ||
	    !mn_sysfs_read_line(path, line, sizeof(line))) {
		path[0] = '\0';
		return MN_NUMA_NODE_NONE;
	}
	if (sscanf(line, "%d", &node) != 1 || node < MN_NUMA_NODE_NONE || node >= MN_NUMA_NODES_MAX)
		node = MN_NUMA_NODE_NONE;
	return node;
}

static bool default_gw_of(ifindex_t ifindex, afi_t afi, union g_addr *gw)
{
	const struct mn_default_gws *d = &default_gws[afi];
	unsigned int i;

	for (i = 0; i < d->count; i++) {
		if (d->ifindex[i] != ifindex)
			continue;
		if (gw)
			*gw = d->gw[i];
		return true;
	}
	return false;
}

static bool has_default_gw(ifindex_t ifindex)
{
	return default_gw_of(ifindex, AFI_IP, NULL) || default_gw_of(ifindex, AFI_IP6, NULL);
}

/*
 * Selection
 */

static const struct mn_nic_rule_cfg *first_matching_rule(struct interface *ifp)
{
	const struct mn_nic_rule_cfg *rule;
	char driver[32] = "";
	bool driver_read = false;

	frr_each (mn_nic_rules_const, &mn_nic_rules, rule) {
		struct mn_nic_rule r = {
			.name_pattern = rule->name_pattern,
			.driver = rule->driver,
			.match_default_gw = rule->default_gw,
		};
		struct mn_nic_facts facts = {
			.name = ifp->name,
			.has_default_gw = has_default_gw(ifp->ifindex),
		};

		/* ethtool only when a rule asks for the driver */
		if (rule->driver && !driver_read) {
			nic_read_driver(ifp->name, driver, sizeof(driver));
			driver_read = true;
		}
		facts.driver = driver[0] ? driver : NULL;
		if (mn_nic_rule_matches(&r, &facts))
			return rule;
	}
	return NULL;
}

static bool if_is_candidate(const struct interface *ifp)
{
	/*
	 * Loopback, devices without an index (not in the kernel), and
	 * multinicd's own task devices, which no rule may select (a
	 * "nic-match name mn*" would otherwise send tasks into each other).
	 */
	return ifp->ifindex != IFINDEX_INTERNAL && !if_is_loopback(ifp) &&
	       !mn_ifname_is_task_device(ifp->name);
}

/*
 * zebra reports neighbour changes, not the entries that exist when we
 * register, so a gateway's state is read once until the first change.
 */
static void nic_gateway_neigh_seed(struct mn_nic *nic, afi_t afi)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	struct prefix ip = {};
	union g_addr gw;
	int state;

	if (nic->gw_neigh[afi] >= 0 || nic->ifindex == IFINDEX_INTERNAL ||
	    !mn_nic_gateway(nic, afi, &gw))
		return;
	ip.family = afi2family(afi);
	if (afi == AFI_IP) {
		ip.u.prefix4 = gw.ipv4;
		ip.prefixlen = IPV4_MAX_BITLEN;
	} else {
		ip.u.prefix6 = gw.ipv6;
		ip.prefixlen = IPV6_MAX_BITLEN;
	}
	state = mn_nl_neigh_state(&host, nic->ifindex, &ip, NULL, 0);
	nic->gw_neigh[afi] = state >= 0 ? state : ZEBRA_NEIGH_STATE_NONE;
}

static void nic_refresh(struct mn_nic *nic, struct interface *ifp)
{
	bool up = if_is_operative(ifp);
	afi_t afi;

	if (nic->ifindex != ifp->ifindex) {
		nic_read_driver(ifp->name, nic->driver, sizeof(nic->driver));
		nic->numa.node_read = nic_read_numa_node(ifp->name, nic->numa.node_path,
							 sizeof(nic->numa.node_path));
	}
	if (up != nic->oper_up || nic->ifindex != ifp->ifindex)
		DEBUGD(&mn_dbg_nic, "NIC %s (ifindex %d) %s", nic->name, ifp->ifindex,
		       up ? "up" : "down");
	nic->ifindex = ifp->ifindex;
	nic->oper_up = up;
	nic->mtu = ifp->mtu;
	/* zebra reports 0 or (u32)-1 (ethtool's SPEED_UNKNOWN) when unknown */
	nic->speed_reported = ifp->speed == UINT32_MAX ? 0 : ifp->speed;
	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		nic->has_gw[afi] = default_gw_of(ifp->ifindex, afi, &nic->gw[afi]);
		nic_gateway_neigh_seed(nic, afi);
	}
}

static struct mn_nic *nic_get(const char *name)
{
	struct mn_nic *nic = mn_nic_find(name);

	if (nic)
		return nic;
	nic = XCALLOC(MTYPE_MN_NIC, sizeof(*nic));
	strlcpy(nic->name, name, sizeof(nic->name));
	nic->ifindex = IFINDEX_INTERNAL;
	nic->numa.node_read = MN_NUMA_NODE_NONE;
	nic->gw_neigh[AFI_IP] = nic->gw_neigh[AFI_IP6] = -1;
	mn_nics_add(&mn_nics, nic);
	zlog_info("NIC %s selected", name);
	return nic;
}

static void nic_free(struct mn_nic *nic)
{
	mn_nics_del(&mn_nics, nic);
	XFREE(MTYPE_MN_NIC, nic);
}

/* The selected NICs, as the datapaths see them. */
static void nics_hand_down(void)
{
	size_t n = mn_nics_count(&mn_nics), i = 0;
	struct mn_dp_nic *d = NULL;
	const struct mn_nic *nic;
	afi_t afi;

	if (n)
		d = XCALLOC(MTYPE_MN_NIC_DESC, n * sizeof(*d));
	frr_each (mn_nics_const, &mn_nics, nic) {
		strlcpy(d[i].name, nic->name, sizeof(d[i].name));
		d[i].ifindex = nic->ifindex;
		d[i].up = nic->oper_up;
		d[i].weight = mn_nic_weight(nic);
		for (afi = AFI_IP; afi <= AFI_IP6; afi++)
			d[i].has_gw[afi] = mn_nic_gateway(nic, afi, &d[i].gw[afi]);
		d[i].numa_node = mn_nic_numa_node(nic);
		d[i].loaded = nic->numa.loaded;
		i++;
	}
	mn_datapath_nics_set(d, n);
	XFREE(MTYPE_MN_NIC_DESC, d);
}

/*
 * Recompute the selected NICs from the configuration and zebra's view of
 * the interfaces.  Called on every configuration change and interface
 * event; the sets are small (a host has a handful of NICs).
 */
void mn_nics_update(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct mn_nic *nic;
	struct interface *ifp;

	/* Unmark all, then mark what is still selected. */
	frr_each (mn_nics, &mn_nics, nic) {
		nic->cfg = NULL;
		nic->rule = NULL;
	}

	if (multinic_cfg.configured && vrf) {
		FOR_ALL_INTERFACES (vrf, ifp) {
			struct mn_nic_cfg key = {}, *cfg;
			const struct mn_nic_rule_cfg *rule;

			if (!if_is_candidate(ifp))
				continue;
			strlcpy(key.name, ifp->name, sizeof(key.name));
			cfg = mn_nic_cfgs_find(&mn_nic_cfgs, &key);
			rule = cfg ? NULL : first_matching_rule(ifp);
			if (!cfg && !rule)
				continue;
			nic = nic_get(ifp->name);
			nic->cfg = cfg;
			nic->rule = rule;
			nic_refresh(nic, ifp);
		}
	}

	frr_each_safe (mn_nics, &mn_nics, nic) {
		if (nic->cfg || nic->rule)
			continue;
		zlog_info("NIC %s no longer selected", nic->name);
		nic_free(nic);
	}
	nics_hand_down();
	hook_call(mn_nics_changed);
}

void mn_nic_default_route_update(afi_t afi, const ifindex_t *ifindex, const union g_addr *gw,
				 unsigned int count)
{
	struct mn_default_gws *d = &default_gws[afi];

	XFREE(MTYPE_MN_DEFAULT_GW, d->ifindex);
	XFREE(MTYPE_MN_DEFAULT_GW, d->gw);
	d->count = count;
	if (count) {
		d->ifindex = XCALLOC(MTYPE_MN_DEFAULT_GW, count * sizeof(*ifindex));
		d->gw = XCALLOC(MTYPE_MN_DEFAULT_GW, count * sizeof(*gw));
		memcpy(d->ifindex, ifindex, count * sizeof(*ifindex));
		memcpy(d->gw, gw, count * sizeof(*gw));
	}
	mn_nics_update();
}

/*
 * Read-only views
 */

struct mn_nic *mn_nic_find(const char *name)
{
	struct mn_nic key = {};

	strlcpy(key.name, name, sizeof(key.name));
	return mn_nics_find(&mn_nics, &key);
}

uint32_t mn_nic_speed(const struct mn_nic *nic)
{
	if (nic->cfg && nic->cfg->speed)
		return nic->cfg->speed;
	return nic->speed_reported;
}

/* The fastest selected NIC's speed, an unknown one counting as the default. */
static uint32_t nics_fastest_speed(void)
{
	const struct mn_nic *nic;
	uint32_t fastest = 0, speed;

	frr_each (mn_nics_const, &mn_nics, nic) {
		speed = mn_nic_speed(nic);
		fastest = MAX(fastest, speed ? speed : MN_SPEED_DEFAULT);
	}
	return fastest;
}

uint16_t mn_nic_weight(const struct mn_nic *nic)
{
	if (nic->cfg && nic->cfg->weight)
		return nic->cfg->weight;
	return mn_weight_from_speed(mn_nic_speed(nic), nics_fastest_speed());
}

int mn_nic_numa_node(const struct mn_nic *nic)
{
	if (nic->cfg && nic->cfg->numa_node != MN_NUMA_NODE_NONE)
		return nic->cfg->numa_node;
	return nic->numa.node_read;
}

bool mn_nic_gateway(const struct mn_nic *nic, afi_t afi, union g_addr *gw)
{
	if (nic->cfg && nic->cfg->has_gw[afi]) {
		if (gw)
			*gw = nic->cfg->gw[afi];
		return true;
	}
	if (nic->has_gw[afi] && gw)
		*gw = nic->gw[afi];
	return nic->has_gw[afi];
}

void mn_nic_neighbour_update(ifindex_t ifindex, const struct ipaddr *ip, uint32_t state)
{
	afi_t afi = IS_IPADDR_V4(ip) ? AFI_IP : AFI_IP6;
	struct mn_nic *nic;
	union g_addr gw;

	frr_each (mn_nics, &mn_nics, nic) {
		if (nic->ifindex != ifindex || !mn_nic_gateway(nic, afi, &gw))
			continue;
		if (afi == AFI_IP ? IPV4_ADDR_SAME(&gw.ipv4, &ip->ipaddr_v4)
				  : IPV6_ADDR_SAME(&gw.ipv6, &ip->ipaddr_v6))
			nic->gw_neigh[afi] = state;
	}
}

const char *mn_neigh_state_name(int state)
{
	static const struct {
		int state;
		const char *name;
	} names[] = {
		{ ZEBRA_NEIGH_STATE_NONE, "none" },
		{ ZEBRA_NEIGH_STATE_INCOMPLETE, "incomplete" },
		{ ZEBRA_NEIGH_STATE_REACHABLE, "reachable" },
		{ ZEBRA_NEIGH_STATE_STALE, "stale" },
		{ ZEBRA_NEIGH_STATE_DELAY, "delay" },
		{ ZEBRA_NEIGH_STATE_PROBE, "probe" },
		{ ZEBRA_NEIGH_STATE_FAILED, "failed" },
		{ ZEBRA_NEIGH_STATE_NOARP, "noarp" },
		{ ZEBRA_NEIGH_STATE_PERMANENT, "permanent" },
	};
	size_t i;

	for (i = 0; i < array_size(names); i++)
		if (names[i].state == state)
			return names[i].name;
	return "unknown";
}

uint32_t mn_nics_min_mtu(void)
{
	const struct mn_nic *nic;
	uint32_t mtu = 0;

	frr_each (mn_nics_const, &mn_nics, nic)
		if (nic->oper_up && nic->mtu && (!mtu || nic->mtu < mtu))
			mtu = nic->mtu;
	return mtu;
}

const char *mn_nic_selected_by(const struct mn_nic *nic, char *buf, size_t len)
{
	if (nic->cfg)
		snprintf(buf, len, "nic %s", nic->name);
	else if (nic->rule)
		snprintf(buf, len, "nic-match %u", nic->rule->seq);
	else
		snprintf(buf, len, "none");
	return buf;
}

/*
 * Spill on load: every selected NIC's transmit counter, once a second,
 * while the NUMA layer says loads matter; the NICs are handed down again
 * only when one becomes loaded or unloaded.
 */
#define LOAD_SAMPLE_MS 1000
static struct event *t_load_sample;

static bool nic_load_sample(struct mn_nic *nic, int64_t now_ms)
{
	char path[128], line[32];
	unsigned long long bytes;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_bytes", nic->name);
	if (!mn_sysfs_read_line(path, line, sizeof(line)) || sscanf(line, "%llu", &bytes) != 1)
		return false;
	if (!mn_numa_nic_load_sample(&nic->numa, nic->oper_up, bytes, mn_nic_speed(nic), now_ms))
		return false;
	DEBUGD(&mn_dbg_numa,
	       "NUMA: NIC %s %s the spill threshold (%" PRIu64
	       " bit/s of %u Mbit/s, threshold %u%%)",
	       nic->name, nic->numa.loaded ? "reached" : "fell below", nic->numa.tx_bps,
	       mn_nic_speed(nic), multinic_cfg.spill_threshold);
	return true;
}

static void nics_load_sample(struct event *t)
{
	struct timeval tv;
	struct mn_nic *nic;
	bool changed = false;
	int64_t now_ms;

	monotime(&tv);
	now_ms = tv.tv_sec * 1000 + tv.tv_usec / 1000;
	frr_each (mn_nics, &mn_nics, nic)
		changed |= nic_load_sample(nic, now_ms);
	if (changed)
		mn_nics_update(); /* the datapaths get the NICs again */
	event_add_timer_msec(master, nics_load_sample, NULL, LOAD_SAMPLE_MS, &t_load_sample);
}

void mn_nic_load_sampling_update(void)
{
	struct mn_nic *nic;
	bool was_loaded = false;

	if (mn_numa_spill_sampling_wanted()) {
		if (!t_load_sample)
			event_add_timer_msec(master, nics_load_sample, NULL, 0, &t_load_sample);
		return;
	}
	event_cancel(&t_load_sample);
	frr_each (mn_nics, &mn_nics, nic)
		was_loaded |= mn_numa_nic_load_clear(&nic->numa);
	if (was_loaded)
		mn_nics_update();
}

void mn_nic_init(void)
{
	mn_nic_cfgs_init(&mn_nic_cfgs);
	mn_nic_rules_init(&mn_nic_rules);
	mn_nics_init(&mn_nics);
}

/*
 * multinicd stops: memory only.  Nothing is recomputed or handed down:
 * the datapaths keep the NICs as they are (stopping is not deconfiguring).
 */
void mn_nic_terminate(void)
{
	struct mn_nic_rule_cfg *rule;
	struct mn_nic_cfg *cfg;
	struct mn_nic *nic;
	afi_t afi;

	event_cancel(&t_load_sample);
	while ((cfg = mn_nic_cfgs_pop(&mn_nic_cfgs)))
		XFREE(MTYPE_MN_NIC_CFG, cfg);
	while ((rule = mn_nic_rules_pop(&mn_nic_rules)))
		mn_nic_rule_free(rule);
	while ((nic = mn_nics_pop(&mn_nics)))
		XFREE(MTYPE_MN_NIC, nic);
	for (afi = AFI_IP; afi < AFI_MAX; afi++) {
		XFREE(MTYPE_MN_DEFAULT_GW, default_gws[afi].ifindex);
		XFREE(MTYPE_MN_DEFAULT_GW, default_gws[afi].gw);
		default_gws[afi].count = 0;
	}
	mn_nic_cfgs_fini(&mn_nic_cfgs);
	mn_nic_rules_fini(&mn_nic_rules);
	mn_nics_fini(&mn_nics);
}
