// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the NICs and task prefixes multinicd described (see
 * bgp_multinic_ingress.h).
 */
#include <zebra.h>

#include "lib/if.h"
#include "lib/jhash.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/monotime.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_multinic.h"
#include "bgpd/bgp_multinic_ingress.h"

DEFINE_MTYPE_STATIC(BGPD, MN_TPFX, "multinic task prefix");

DEFINE_HOOK(mn_ingress_nic_changed,
	    (const struct mn_nic_state *old, const struct mn_nic_state *now), (old, now));
DEFINE_HOOK(mn_ingress_prefix_changed, (const struct prefix *p), (p));
DEFINE_HOOK(mn_ingress_cfg_changed, (), ());

#define MN_INGRESS_CFG_DEFAULT                                                                     \
	{                                                                                          \
		.lb = MN_LB_EXTENDED, .buckets = MN_RESILIENT_BUCKETS_DEFAULT,                     \
		.idle_timer = MN_RESILIENT_IDLE_TIMER_DEFAULT,                                     \
	}
const struct mn_ingress_cfg mn_ingress_cfg_default = MN_INGRESS_CFG_DEFAULT;
struct mn_ingress_cfg mn_ingress_cfg = MN_INGRESS_CFG_DEFAULT;

static int mn_tpfx_cmp(const struct mn_tpfx *a, const struct mn_tpfx *b)
{
	return prefix_cmp(&a->p, &b->p);
}

static uint32_t mn_tpfx_hash(const struct mn_tpfx *t)
{
	return prefix_hash_key(&t->p);
}

DECLARE_HASH(mn_tpfxs, struct mn_tpfx, item, mn_tpfx_cmp, mn_tpfx_hash);

static struct mn_nic_state nics[MN_INGRESS_NICS_MAX];
static unsigned int n_nics;
static struct mn_tpfxs_head prefixes = INIT_HASH(prefixes);
/* a prefix set being received: BEGIN's generation, count and entries */
static struct mn_tpfxs_head pending = INIT_HASH(pending);
static uint32_t pending_generation, pending_count;
static bool receiving;
static struct mn_ingress_recv_status recv_status;

struct bgp *mn_ingress_bgp(void)
{
	struct bgp *bgp = bgp_get_default();

	return bgp && !CHECK_FLAG(bgp->flags, BGP_FLAG_DELETE_IN_PROGRESS) ? bgp : NULL;
}

struct bgp_dest *mn_ingress_dest(const struct prefix *p, struct bgp **bgp)
{
	afi_t afi = family2afi(p->family);

	*bgp = mn_ingress_bgp();
	if (!*bgp || (afi != AFI_IP && afi != AFI_IP6) || !(*bgp)->rib[afi][SAFI_UNICAST])
		return NULL;
	return bgp_node_lookup((*bgp)->rib[afi][SAFI_UNICAST], p);
}

void mn_ingress_cfg_set(const struct mn_ingress_cfg *cfg)
{
	mn_ingress_cfg = *cfg;
	hook_call(mn_ingress_cfg_changed);
}

/* A new default instance starts from its own configuration. */
static int inst_delete(struct bgp *bgp)
{
	if (bgp->inst_type == BGP_INSTANCE_TYPE_DEFAULT)
		mn_ingress_cfg = mn_ingress_cfg_default;
	return 0;
}

/*
 * Lookups
 */

const struct mn_nic_state *mn_ingress_nics(unsigned int *n)
{
	*n = n_nics;
	return n_nics ? nics : NULL;
}

const struct mn_nic_state *mn_ingress_nic(const char *name)
{
	unsigned int i;

	for (i = 0; i < n_nics; i++)
		if (strmatch(nics[i].name, name))
			return &nics[i];
	return NULL;
}

const struct mn_nic_state *mn_ingress_nic_of_peer(const struct peer *peer)
{
	/* peer->nexthop: the session's local addresses and their interface */
	return peer->nexthop.ifp ? mn_ingress_nic(peer->nexthop.ifp->name) : NULL;
}

uint64_t mn_ingress_nic_bandwidth(const struct mn_nic_state *nic)
{
	return mn_link_bandwidth(nic->speed, MN_INGRESS_SPEED_DEFAULT);
}

const struct mn_tpfx *mn_ingress_prefix(const struct prefix *p)
{
	struct mn_tpfx key = {};

	prefix_copy(&key.p, p);
	apply_mask(&key.p);
	return mn_tpfxs_find(&prefixes, &key);
}

struct mn_pfx_facts mn_ingress_facts(const struct mn_tpfx *pfx)
{
	struct mn_pfx_facts f = { .known = !!pfx };

	if (pfx) {
		f.nic = pfx->nic;
		f.announce = CHECK_FLAG(pfx->flags, MN_INGRESS_PFX_ANNOUNCE);
		f.up = CHECK_FLAG(pfx->flags, MN_INGRESS_PFX_UP);
	}
	return f;
}

void mn_ingress_each_prefix(void (*fn)(const struct mn_tpfx *pfx, void *arg), void *arg)
{
	const struct mn_tpfx *t;

	frr_each (mn_tpfxs_const, &prefixes, t)
		fn(t, arg);
}

unsigned int mn_ingress_prefix_count(void)
{
	return mn_tpfxs_count(&prefixes);
}

const struct mn_ingress_recv_status *mn_ingress_recv_status(void)
{
	return &recv_status;
}

/*
 * Decoding
 */

static bool get_address(struct stream *s, struct mn_nic_state *nic)
{
	uint8_t family;

	STREAM_GETC(s, family);
	if (family == AF_INET) {
		nic->has_addr[0] = true;
		STREAM_GET(&nic->addr4, s, sizeof(nic->addr4));
	} else if (family == AF_INET6) {
		nic->has_addr[1] = true;
		STREAM_GET(&nic->addr6, s, sizeof(nic->addr6));
	} else if (family != 0) {
		return false;
	}
	return true;
stream_failure:
	return false;
}

static bool get_nic(struct stream *s, struct mn_nic_state *nic)
{
	uint8_t flags;

	memset(nic, 0, sizeof(*nic));
	if (!mn_get_string(s, nic->name, sizeof(nic->name)) || !nic->name[0])
		return false;
	STREAM_GETL(s, nic->ifindex);
	STREAM_GETC(s, flags);
	nic->up = CHECK_FLAG(flags, MN_INGRESS_NIC_UP);
	STREAM_GETL(s, nic->speed);
	/* the IPv4 address comes first, then the IPv6 one */
	return get_address(s, nic) && get_address(s, nic);
stream_failure:
	return false;
}

static bool nic_same(const struct mn_nic_state *a, const struct mn_nic_state *b)
{
	return a->ifindex == b->ifindex && a->up == b->up && a->speed == b->speed &&
	       a->has_addr[0] == b->has_addr[0] && a->has_addr[1] == b->has_addr[1] &&
	       (!a->has_addr[0] || IPV4_ADDR_SAME(&a->addr4, &b->addr4)) &&
	       (!a->has_addr[1] || IPV6_ADDR_SAME(&a->addr6, &b->addr6));
}

static const struct mn_nic_state *nic_in(const struct mn_nic_state *set, unsigned int n,
					 const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strmatch(set[i].name, name))
			return &set[i];
	return NULL;
}

/* The NICS message: the whole set, in force at once. */
static bool nics_recv(struct stream *s, uint32_t generation)
{
	static struct mn_nic_state got[MN_INGRESS_NICS_MAX], old[MN_INGRESS_NICS_MAX];
	const struct mn_nic_state *was;
	unsigned int n_old = n_nics, i;
	uint16_t n;

	STREAM_GETW(s, n);
	if (n > MN_INGRESS_NICS_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!get_nic(s, &got[i]))
			return false;
	memcpy(old, nics, sizeof(old));
	memcpy(nics, got, sizeof(nics));
	n_nics = n;
	recv_status.nics_generation = generation;
	recv_status.nics_at = monotime(NULL);
	if (MN_DEBUG)
		zlog_debug("multinic ingress: %u NIC(s) from multinicd (generation %u)", n,
			   generation);
	for (i = 0; i < n_nics; i++) {
		was = nic_in(old, n_old, nics[i].name);
		if (!was || !nic_same(was, &nics[i]))
			hook_call(mn_ingress_nic_changed, was, &nics[i]);
	}
	for (i = 0; i < n_old; i++)
		if (!mn_ingress_nic(old[i].name))
			hook_call(mn_ingress_nic_changed, &old[i], NULL);
	return true;
stream_failure:
	return false;
}

static void pending_clear(void)
{
	struct mn_tpfx *t;

	while ((t = mn_tpfxs_pop(&pending)))
		XFREE(MTYPE_MN_TPFX, t);
	receiving = false;
}

static bool entry_recv(struct stream *s)
{
	struct mn_tpfx *t = XCALLOC(MTYPE_MN_TPFX, sizeof(*t));

	if (!mn_get_prefix(s, &t->p) || !mn_get_string(s, t->nic, sizeof(t->nic)))
		goto malformed;
	STREAM_GETC(s, t->flags);
	apply_mask(&t->p);
	if (mn_tpfxs_add(&pending, t)) /* twice in one set: malformed */
		goto malformed;
	return true;
stream_failure:
malformed:
	XFREE(MTYPE_MN_TPFX, t);
	return false;
}

static bool tpfx_same(const struct mn_tpfx *a, const struct mn_tpfx *b)
{
	return a->flags == b->flags && strmatch(a->nic, b->nic);
}

/* END: the pending set replaces the one in force; listeners hear the difference. */
static void prefixes_install(void)
{
	struct mn_tpfxs_head old;
	struct mn_tpfx *t;
	const struct mn_tpfx *now;

	mn_tpfxs_init(&old);
	while ((t = mn_tpfxs_pop(&prefixes)))
		mn_tpfxs_add(&old, t);
	while ((t = mn_tpfxs_pop(&pending)))
		mn_tpfxs_add(&prefixes, t);
	receiving = false;
	recv_status.prefixes_generation = pending_generation;
	recv_status.prefixes_at = monotime(NULL);
	recv_status.prefixes_received = true;
	if (MN_DEBUG)
		zlog_debug("multinic ingress: %zu task prefix(es) from multinicd (generation %u)",
			   mn_tpfxs_count(&prefixes), pending_generation);
	frr_each (mn_tpfxs_const, &prefixes, now) {
		t = mn_tpfxs_find(&old, now);
		if (!t || !tpfx_same(t, now))
			hook_call(mn_ingress_prefix_changed, &now->p);
	}
	while ((t = mn_tpfxs_pop(&old))) {
		if (!mn_tpfxs_find(&prefixes, t))
			hook_call(mn_ingress_prefix_changed, &t->p);
		XFREE(MTYPE_MN_TPFX, t);
	}
	mn_tpfxs_fini(&old);
}

static bool prefixes_part(struct stream *s, uint8_t kind, uint32_t generation)
{
	uint16_t n, i;

	if (kind == MN_INGRESS_MSG_BEGIN) {
		pending_clear();
		STREAM_GETL(s, pending_count);
		pending_generation = generation;
		receiving = true;
		return true;
	}
	if (!receiving || generation != pending_generation)
		return true; /* the rest of a set whose beginning was missed */
	if (kind == MN_INGRESS_MSG_PREFIXES) {
		STREAM_GETW(s, n);
		for (i = 0; i < n; i++)
			if (!entry_recv(s))
				return false;
		return mn_tpfxs_count(&pending) <= pending_count;
	}
	if (kind == MN_INGRESS_MSG_END && mn_tpfxs_count(&pending) == pending_count) {
		prefixes_install();
		return true;
	}
	return false;
stream_failure:
	return false;
}

void mn_ingress_recv(struct stream *s)
{
	uint8_t version, kind = 0;
	uint32_t generation = 0;
	bool ok;

	STREAM_GETC(s, version);
	STREAM_GETC(s, kind);
	STREAM_GETL(s, generation);
	if (version != MN_INGRESS_WIRE_VERSION) {
		zlog_warn("multinic ingress: message version %u from multinicd, expected %u; ignored",
			  version, MN_INGRESS_WIRE_VERSION);
		return;
	}
	if (kind == MN_INGRESS_MSG_NICS)
		ok = nics_recv(s, generation);
	else
		ok = prefixes_part(s, kind, generation);
	if (ok)
		return;
stream_failure:
	zlog_warn("multinic ingress: malformed message (kind %u, generation %u) from multinicd; what is in force is kept",
		  kind, generation);
	pending_clear();
}

void mn_ingress_init(void)
{
	hook_register(bgp_inst_delete, inst_delete);
}

void mn_ingress_fini(void)
{
	struct mn_tpfx *t;

	hook_unregister(bgp_inst_delete, inst_delete);

	pending_clear();
	while ((t = mn_tpfxs_pop(&prefixes)))
		XFREE(MTYPE_MN_TPFX, t);
	mn_tpfxs_fini(&prefixes);
	mn_tpfxs_fini(&pending);
	n_nics = 0;
}
