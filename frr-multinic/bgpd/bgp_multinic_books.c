// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the books on what hosts announce (see
 * bgp_multinic_books.h for why they are written where they are).
 */
#include <zebra.h>

#include "lib/jhash.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/routemap.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_multinic.h"
#include "bgpd/bgp_multinic_books.h"

DEFINE_MTYPE_STATIC(BGPD, MN_HOST, "multinic authorization host");
DEFINE_MTYPE_STATIC(BGPD, MN_VIP, "multinic held VIP");
DEFINE_MTYPE_STATIC(BGPD, MN_HOLDING, "multinic VIP holding");

DEFINE_HOOK(mn_books_path_accepted,
	    (struct peer *peer, afi_t afi, uint32_t addpath_id, const struct prefix *p),
	    (peer, afi, addpath_id, p));
DEFINE_HOOK(mn_books_vip_released, (), ());

/* Every VIP some host holds, by (VRF, prefix): its holders. */
PREDECL_HASH(mn_vips);
struct mn_vip {
	struct mn_vips_item item;
	vrf_id_t vrf_id;
	struct prefix p;
	struct mn_holding *holders;
};

static int mn_vip_cmp(const struct mn_vip *a, const struct mn_vip *b)
{
	if (a->vrf_id != b->vrf_id)
		return numcmp(a->vrf_id, b->vrf_id);
	return prefix_cmp(&a->p, &b->p);
}

static uint32_t mn_vip_hash(const struct mn_vip *v)
{
	return jhash_1word(v->vrf_id, prefix_hash_key(&v->p));
}

DECLARE_HASH(mn_vips, struct mn_vip, item, mn_vip_cmp, mn_vip_hash);

static int mn_holding_cmp(const struct mn_holding *a, const struct mn_holding *b)
{
	return mn_vip_cmp(a->vip, b->vip);
}

DECLARE_RBTREE_UNIQ(mn_host_vips, struct mn_holding, host_item, mn_holding_cmp);

static int mn_host_cmp(const struct mn_host *a, const struct mn_host *b)
{
	return strcmp(a->name, b->name);
}

DECLARE_RBTREE_UNIQ(mn_hosts, struct mn_host, item, mn_host_cmp);

static struct mn_hosts_head hosts = INIT_RBTREE_UNIQ(hosts);
static struct mn_vips_head vips = INIT_HASH(vips);
static uint64_t total_accepted;
static uint64_t total_rejected[MN_REJ_MAX];

struct mn_holding *mn_host_vip_first(struct mn_host *h)
{
	return mn_host_vips_first(&h->vips);
}

struct mn_holding *mn_host_vip_next(struct mn_host *h, struct mn_holding *hd)
{
	return mn_host_vips_next(&h->vips, hd);
}

const struct prefix *mn_holding_prefix(const struct mn_holding *hd)
{
	return &hd->vip->p;
}

uint64_t mn_books_total_accepted(void)
{
	return total_accepted;
}

const uint64_t *mn_books_total_rejected(void)
{
	return total_rejected;
}

struct mn_host *mn_books_host(const char *name)
{
	struct mn_host key = {};

	strlcpy(key.name, name, sizeof(key.name));
	return mn_hosts_find(&hosts, &key);
}

static struct mn_host *host_get(const char *name)
{
	struct mn_host *h = mn_books_host(name);

	if (h)
		return h;
	h = XCALLOC(MTYPE_MN_HOST, sizeof(*h));
	strlcpy(h->name, name, sizeof(h->name));
	mn_host_vips_init(&h->vips);
	mn_hosts_add(&hosts, h);
	return h;
}

/*
 * Holdings: which host holds which VIP, from the paths in bgpd's tables.
 */

static struct mn_vip *vip_find(vrf_id_t vrf_id, const struct prefix *p)
{
	struct mn_vip key = { .vrf_id = vrf_id };

	prefix_copy(&key.p, p);
	return mn_vips_find(&vips, &key);
}

bool mn_books_vip_held(vrf_id_t vrf_id, const struct prefix *p)
{
	return vip_find(vrf_id, p) != NULL;
}

static struct mn_holding *holding_of(const struct mn_vip *v, const struct mn_host *h)
{
	struct mn_holding *hd;

	for (hd = v ? v->holders : NULL; hd; hd = hd->next)
		if (hd->host == h)
			return hd;
	return NULL;
}

static void holding_add(struct mn_host *h, vrf_id_t vrf_id, const struct prefix *p)
{
	struct mn_vip *v = vip_find(vrf_id, p);
	struct mn_holding *hd = holding_of(v, h);

	if (!v) {
		v = XCALLOC(MTYPE_MN_VIP, sizeof(*v));
		v->vrf_id = vrf_id;
		prefix_copy(&v->p, p);
		mn_vips_add(&vips, v);
	}
	if (!hd) {
		hd = XCALLOC(MTYPE_MN_HOLDING, sizeof(*hd));
		hd->vip = v;
		hd->host = h;
		hd->next = v->holders;
		v->holders = hd;
		mn_host_vips_add(&h->vips, hd);
		h->n_vips[mn_authz_fam_idx(p)]++;
	}
	hd->paths++;
}

static void holding_free(struct mn_holding *hd)
{
	struct mn_vip *v = hd->vip;
	struct mn_holding **pp;

	for (pp = &v->holders; *pp != hd; pp = &(*pp)->next)
		;
	*pp = hd->next;
	mn_host_vips_del(&hd->host->vips, hd);
	hd->host->n_vips[mn_authz_fam_idx(&v->p)]--;
	XFREE(MTYPE_MN_HOLDING, hd);
	if (!v->holders) {
		mn_vips_del(&vips, v);
		XFREE(MTYPE_MN_VIP, v);
	}
	/* another host may take the VIP now, or this one another VIP */
	hook_call(mn_books_vip_released);
}

static void holding_del(struct mn_host *h, vrf_id_t vrf_id, const struct prefix *p)
{
	struct mn_holding *hd = holding_of(vip_find(vrf_id, p), h);

	if (hd && --hd->paths == 0)
		holding_free(hd);
}

static void holdings_clear(void)
{
	struct mn_host *h;
	struct mn_holding *hd;

	frr_each (mn_hosts, &hosts, h)
		while ((hd = mn_host_vips_first(&h->vips)))
			holding_free(hd);
}

/*
 * The verdict, with what the books say
 */

/* How many of the host's VIPs of hd's family sort before hd. */
static uint32_t holding_rank(struct mn_host *h, const struct mn_holding *hd)
{
	struct mn_holding *it;
	uint32_t rank = 0;

	frr_each (mn_host_vips, &h->vips, it) {
		if (it == hd)
			break;
		rank += it->vip->p.family == hd->vip->p.family;
	}
	return rank;
}

static struct mn_claim claim_of(const struct mn_policy *pol, const struct mn_phost *ph,
				vrf_id_t vrf_id, const struct prefix *p)
{
	struct mn_host *h = ph ? ph->books : NULL;
	struct mn_claim c = {};
	struct mn_holding *hd, *mine = NULL;
	struct mn_vip *v;

	if (!h || (p->family != AF_INET && p->family != AF_INET6))
		return c;
	v = vip_find(vrf_id, p);
	for (hd = v ? v->holders : NULL; hd; hd = hd->next) {
		if (hd->host == h)
			mine = hd;
		else
			c.owner = hd->host->name;
	}
	c.held = !!mine;
	c.held_in_family = h->n_vips[mn_authz_fam_idx(p)];
	if (mine && c.held_in_family > mn_policy_host_limit(pol, ph))
		c.rank = holding_rank(h, mine);
	return c;
}

bool mn_judge(const struct peer *peer, const struct attr *attr, const struct prefix *p,
	      struct mn_verdict *v)
{
	const struct mn_policy *pol = mn_policy();
	struct mn_phost *ph = mn_policy_host_of_peer(pol, peer);
	struct mn_claim claim = claim_of(pol, ph, peer->bgp->vrf_id, p);

	return mn_policy_verdict(pol, ph, peer, attr, p, &claim, v);
}
/*
 * Logging refusals: at most MN_LOG_BURST lines per host (and for sessions
 * of no host) per MN_LOG_PERIOD seconds, then a count of what was left out.
 */
#define MN_LOG_BURST  20
#define MN_LOG_PERIOD 10

static struct mn_log_limit nohost_log;

static bool log_allowed(struct mn_log_limit *l, const char *who)
{
	time_t now = monotime(NULL);

	if (now - l->start >= MN_LOG_PERIOD) {
		if (l->suppressed)
			zlog_warn("multinic authorization: %u more rejections of %s were not logged in the last %d s",
				  l->suppressed, who, MN_LOG_PERIOD);
		l->start = now;
		l->lines = 0;
		l->suppressed = 0;
	}
	if (l->lines < MN_LOG_BURST) {
		l->lines++;
		return true;
	}
	l->suppressed++;
	return false;
}
/*
 * bgpd's events
 */

static bool booked_table(const struct bgp_table *table)
{
	return table && table->safi == SAFI_UNICAST && (table->afi == AFI_IP || table->afi == AFI_IP6);
}

bool mn_books_family(afi_t afi, safi_t safi)
{
	return safi == SAFI_UNICAST && (afi == AFI_IP || afi == AFI_IP6);
}

/* The host whose VIP a path of peer for p would be, if any. */
static struct mn_host *booked_host(const struct peer *peer, const struct prefix *p)
{
	const struct mn_policy *pol = mn_policy();
	struct mn_phost *ph = mn_policy_host_of_peer(pol, peer);

	if (!ph || !ph->books || p->prefixlen != prefix_blen(p) * 8 || !mn_policy_range_of(pol, p))
		return NULL;
	return ph->books;
}

/* A path of a host's session became (or stopped being) one it holds. */
static int books_path_counted(struct bgp_dest *dest, struct bgp_path_info *pi, bool counted)
{
	struct bgp_table *table = bgp_dest_table(dest);
	const struct prefix *p = bgp_dest_get_prefix(dest);
	struct mn_host *h;

	if (!booked_table(table))
		return 0;
	h = booked_host(pi->peer, p);
	if (!h)
		return 0;
	if (!counted) {
		holding_del(h, table->bgp->vrf_id, p);
		return 0;
	}
	hook_call(mn_books_path_accepted, pi->peer, table->afi, pi->addpath_rx_id, p);
	holding_add(h, table->bgp->vrf_id, p);
	h->accepted++;
	total_accepted++;
	if (MN_DEBUG)
		zlog_debug("multinic authorization: accepted %pFX from %s (host %s)", p,
			   pi->peer->host, h->name);
	return 0;
}

/* Whether the session's inbound route-map asks bgpd_multinic's verdict. */
bool mn_session_judged(const struct peer *peer, afi_t afi, safi_t safi)
{
	const char *name = peer->filter[afi][safi].map[RMAP_IN].name;
	struct route_map *map = name ? route_map_lookup_by_name(name) : NULL;
	struct route_map_index *index;
	struct route_map_rule *rule;

	for (index = map ? map->head : NULL; index; index = index->next)
		for (rule = index->match_list.head; rule; rule = rule->next)
			if (strmatch(rule->cmd->str, "multinic"))
				return true;
	return false;
}

void mn_books_refusal(const struct peer *peer, const struct prefix *p,
		      const struct mn_verdict *v)
{
	struct mn_host *h = v->host ? v->host->books : NULL;
	bool has_detail = v->detail[0] != '\0';

	total_rejected[v->why]++;
	if (h)
		h->rejected[v->why]++;
	if (!log_allowed(h ? &h->log : &nohost_log, h ? h->name : "sessions of no host"))
		return;
	zlog_warn("multinic authorization: rejected %pFX from %s%s%s%s: %s%s%s%s", p, peer->host,
		  h ? " (host " : "", h ? h->name : "", h ? ")" : "", mn_reject_text(v->why),
		  has_detail ? " (" : "", has_detail ? v->detail : "", has_detail ? ")" : "");
}

/*
 * A new policy
 */

/* Every counted path of the IPv4/IPv6 unicast tables of every instance. */
void mn_books_each_counted_path(mn_path_fn fn, void *arg)
{
	struct listnode *node;
	struct bgp_path_info *pi;
	struct bgp_dest *dest;
	struct bgp *bgp;
	afi_t afi;

	for (ALL_LIST_ELEMENTS_RO(bm->bgp, node, bgp))
		for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
			if (!bgp->rib[afi][SAFI_UNICAST])
				continue;
			for (dest = bgp_table_top(bgp->rib[afi][SAFI_UNICAST]); dest;
			     dest = bgp_route_next(dest))
				for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
					if (CHECK_FLAG(pi->flags, BGP_PATH_COUNTED))
						fn(bgp, afi, dest, pi, arg);
		}
}

static void rebuild_path(struct bgp *bgp, afi_t afi, struct bgp_dest *dest,
			 struct bgp_path_info *pi, void *arg)
{
	struct mn_host *h = booked_host(pi->peer, bgp_dest_get_prefix(dest));

	if (h)
		holding_add(h, bgp->vrf_id, bgp_dest_get_prefix(dest));
}

static void books_rebuild(void)
{
	holdings_clear();
	mn_books_each_counted_path(rebuild_path, NULL);
}
static uint32_t installs; /* policies installed so far */

void mn_books_policy_installed(void)
{
	const struct mn_policy *pol = mn_policy();
	struct mn_host *h;
	uint32_t i;

	installs++;
	for (i = 0; i < pol->n_hosts; i++) {
		h = host_get(pol->hosts[i].name);
		h->new_in_policy = h->last_install != installs - 1;
		h->last_install = installs;
		pol->hosts[i].books = h;
	}
	books_rebuild();
}

bool mn_books_first_policy(void)
{
	return installs == 1;
}

void mn_books_each_host(void (*fn)(struct mn_host *h))
{
	struct mn_host *h;

	frr_each (mn_hosts, &hosts, h)
		fn(h);
}

void mn_books_clear_counters(void)
{
	struct mn_host *h;

	frr_each (mn_hosts, &hosts, h) {
		h->accepted = 0;
		memset(h->rejected, 0, sizeof(h->rejected));
	}
	total_accepted = 0;
	memset(total_rejected, 0, sizeof(total_rejected));
}

void mn_books_init(void)
{
	hook_register(bgp_path_counted, books_path_counted);
}

void mn_books_fini(void)
{
	struct mn_host *h;

	hook_unregister(bgp_path_counted, books_path_counted);
	holdings_clear();
	while ((h = mn_hosts_pop(&hosts))) {
		mn_host_vips_fini(&h->vips);
		XFREE(MTYPE_MN_HOST, h);
	}
	mn_vips_fini(&vips);
}
