// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the authorization policy.
 *
 * On a host the policy bounds the tasks multinicd will wire: every check
 * runs in the northbound VALIDATE phase against the candidate
 * configuration, so a task outside the policy is refused with a reason
 * and nothing changes.  On a rack switch the same policy is handed to
 * bgpd_multinic in ZAPI opaque messages (common/multinic_authz_wire.h), which
 * checks received announcements with it.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/frrevent.h"
#include "lib/log.h"
#include "lib/monotime.h"
#include "lib/northbound.h"
#include "lib/prefix.h"
#include "lib/stream.h"
#include "lib/yang.h"
#include "lib/zclient.h"

#include "multinicd.h"
#include "multinic_authz.h"
#include "multinic_addr_policy.h"
#include "common/multinic_authz_wire.h"
#include "multinic_debug.h"
#include "multinic_names.h"
#include "multinic_zapi.h"

/* Without a configuration load ending (no config file), send anyway. */
#define MN_AUTHZ_STARTUP_WAIT_S 15

static struct event *t_send;
static struct event *t_startup;
static bool config_read;
static uint32_t generation;
static bool sent_ok;
static time_t sent_at;

static const struct lyd_node *multinic_root(const struct lyd_node *dnode)
{
	return yang_dnode_get_parent(dnode, "multinic");
}

/*
 * Validation
 */

struct range_walk {
	const struct lyd_node *self;
	struct prefix p;
	char *err;
	size_t len;
	bool ok;
};

static int range_overlap_cb(const struct lyd_node *dnode, void *arg)
{
	struct range_walk *w = arg;
	struct prefix other;

	if (dnode == w->self)
		return YANG_ITER_CONTINUE;
	yang_dnode_get_prefix(&other, dnode, "prefix");
	if (other.family != w->p.family)
		return YANG_ITER_CONTINUE;
	if (prefix_match(&other, &w->p) || prefix_match(&w->p, &other)) {
		snprintfrr(w->err, w->len,
			   "authorization vip-range %pFX overlaps vip-range %pFX (ranges must be disjoint)",
			   &w->p, &other);
		w->ok = false;
		return YANG_ITER_STOP;
	}
	return YANG_ITER_CONTINUE;
}

bool mn_authz_range_valid(const struct lyd_node *dnode, char *err, size_t len)
{
	struct range_walk w = { .self = dnode, .err = err, .len = len, .ok = true };
	struct prefix masked;

	yang_dnode_get_prefix(&w.p, dnode, "prefix");
	if (mn_vip_range_refusal(w.p.family, w.p.prefixlen)) {
		snprintfrr(err, len, "authorization vip-range %pFX: %s", &w.p,
			   mn_vip_range_refusal(w.p.family, w.p.prefixlen));
		return false;
	}
	prefix_copy(&masked, &w.p);
	apply_mask(&masked);
	if (!prefix_same(&masked, &w.p)) {
		snprintfrr(err, len,
			   "authorization vip-range %pFX has host bits set (did you mean %pFX?)",
			   &w.p, &masked);
		return false;
	}
	yang_dnode_iterate(range_overlap_cb, &w, multinic_root(dnode), "authorization/vip-range");
	return w.ok;
}

bool mn_authz_neighbor_valid(const struct lyd_node *dnode, char *err, size_t len)
{
	const char *nbr = yang_dnode_get_string(dnode, NULL);
	struct in6_addr a6;
	struct in_addr a4;
	char why[128];

	if (inet_pton(AF_INET, nbr, &a4) == 1 || inet_pton(AF_INET6, nbr, &a6) == 1)
		return true;
	/* The union would have taken it as an interface name. */
	if (strspn(nbr, "0123456789.") == strlen(nbr)) {
		snprintf(err, len, "authorization neighbor %s is not a valid IPv4 address", nbr);
		return false;
	}
	if (!mn_ifname_valid(nbr, why, sizeof(why))) {
		snprintf(err, len,
			 "authorization neighbor %s is neither an IP address nor an interface name: %s",
			 nbr, why);
		return false;
	}
	return true;
}

/* The policy's ranges of both families, collected from the candidate. */
struct policy_view {
	struct prefix ranges[MN_AUTHZ_RANGES_MAX];
	unsigned int n_ranges;
	bool has_family[2]; /* [0] IPv4, [1] IPv6 */
	uint32_t max_vips;  /* 0: no limit */
	unsigned int count[2];
	char *err;
	size_t len;
	bool ok;
};

static int collect_range_cb(const struct lyd_node *dnode, void *arg)
{
	struct policy_view *v = arg;
	struct prefix *p;

	if (v->n_ranges >= array_size(v->ranges))
		return YANG_ITER_STOP;
	p = &v->ranges[v->n_ranges++];
	yang_dnode_get_prefix(p, dnode, "prefix");
	v->has_family[mn_authz_fam_idx(p)] = true;
	return YANG_ITER_CONTINUE;
}

static bool in_policy(const struct policy_view *v, const struct prefix *p)
{
	unsigned int i;

	if (!v->has_family[mn_authz_fam_idx(p)])
		return true;
	for (i = 0; i < v->n_ranges; i++)
		if (prefix_match(&v->ranges[i], p))
			return true;
	return false;
}

/* One task address; what names it in a refusal. */
static bool check_addr(struct policy_view *v, const struct lyd_node *dnode, const char *task,
		       const char *what)
{
	struct prefix p;

	yang_dnode_get_prefix(&p, dnode, NULL);
	v->count[mn_authz_fam_idx(&p)]++;
	if (in_policy(v, &p))
		return true;
	snprintfrr(v->err, v->len,
		   "task %s: %s %pFX is outside every %s authorization vip-range; it would not be announced (add a vip-range covering it, or choose an address inside one)",
		   task, what, &p, p.family == AF_INET ? "IPv4" : "IPv6");
	v->ok = false;
	return false;
}

struct task_walk {
	struct policy_view *v;
	const char *task;
};

static int check_nic_addr_cb(const struct lyd_node *dnode, void *arg)
{
	struct task_walk *tw = arg;
	char what[64];

	snprintf(what, sizeof(what), "nic-address on %s", yang_dnode_get_string(dnode, "nic"));
	if (yang_dnode_exists(dnode, "ipv4") &&
	    !check_addr(tw->v, yang_dnode_get(dnode, "ipv4"), tw->task, what))
		return YANG_ITER_STOP;
	if (yang_dnode_exists(dnode, "ipv6") &&
	    !check_addr(tw->v, yang_dnode_get(dnode, "ipv6"), tw->task, what))
		return YANG_ITER_STOP;
	return YANG_ITER_CONTINUE;
}

static int check_task_cb(const struct lyd_node *dnode, void *arg)
{
	struct task_walk tw = { .v = arg, .task = yang_dnode_get_string(dnode, "name") };

	if (yang_dnode_exists(dnode, "vip-v4") &&
	    !check_addr(tw.v, yang_dnode_get(dnode, "vip-v4"), tw.task, "VIP"))
		return YANG_ITER_STOP;
	if (yang_dnode_exists(dnode, "vip-v6") &&
	    !check_addr(tw.v, yang_dnode_get(dnode, "vip-v6"), tw.task, "VIP"))
		return YANG_ITER_STOP;
	yang_dnode_iterate(check_nic_addr_cb, &tw, dnode, "nic-address");
	return tw.v->ok ? YANG_ITER_CONTINUE : YANG_ITER_STOP;
}

bool mn_authz_tasks_valid(const struct lyd_node *dnode, char *err, size_t len)
{
	const struct lyd_node *root = multinic_root(dnode);
	struct policy_view *v;
	bool ok;
	int f;

	if (!root)
		return true;
	v = XCALLOC(MTYPE_TMP, sizeof(*v));
	v->err = err;
	v->len = len;
	v->ok = true;
	yang_dnode_iterate(collect_range_cb, v, root, "authorization/vip-range");
	if (yang_dnode_exists(root, "authorization/max-vips-per-host"))
		v->max_vips = yang_dnode_get_uint32(root, "authorization/max-vips-per-host");
	yang_dnode_iterate(check_task_cb, v, root, "task");
	for (f = 0; v->ok && v->max_vips && f < 2; f++) {
		if (v->count[f] <= v->max_vips)
			continue;
		snprintf(err, len,
			 "the tasks would hold %u %s VIPs (task VIPs and per-NIC addresses), more than authorization max-vips-per-host %u",
			 v->count[f], f ? "IPv6" : "IPv4", v->max_vips);
		v->ok = false;
	}
	ok = v->ok;
	XFREE(MTYPE_TMP, v);
	return ok;
}

/*
 * Handing the policy to bgpd_multinic
 */

static void put_prefix(struct stream *s, const struct prefix *p)
{
	stream_putc(s, p->family);
	stream_putc(s, p->prefixlen);
	stream_put(s, &p->u.prefix, p->family == AF_INET ? 4 : 16);
}

static void put_string(struct stream *s, const char *str)
{
	size_t len = strnlen(str, UINT8_MAX);

	stream_putc(s, len);
	stream_put(s, str, len);
}

static void msg_start(struct stream *s, enum mn_authz_msg_kind kind)
{
	mn_zapi_opaque_start(s, MN_AUTHZ_WIRE_VERSION, kind, generation);
}

static bool msg_send(struct stream *s)
{
	return mn_zapi_opaque_send(MN_OPAQUE_AUTHZ_POLICY, s);
}

static int count_cb(const struct lyd_node *dnode, void *arg)
{
	(*(unsigned int *)arg)++;
	return YANG_ITER_CONTINUE;
}

/* Instances of a list or leaf-list below dnode (NULL: none). */
static unsigned int count_of(const struct lyd_node *dnode, const char *what)
{
	unsigned int n = 0;

	if (dnode)
		yang_dnode_iterate(count_cb, &n, dnode, "%s", what);
	return n;
}

struct send_walk {
	struct stream *s;
	bool ok;
};

static int send_range_cb(const struct lyd_node *dnode, void *arg)
{
	struct send_walk *w = arg;
	struct prefix p;

	yang_dnode_get_prefix(&p, dnode, "prefix");
	msg_start(w->s, MN_AUTHZ_MSG_RANGE);
	put_prefix(w->s, &p);
	w->ok = w->ok && msg_send(w->s);
	return YANG_ITER_CONTINUE;
}

static int put_neighbor_cb(const struct lyd_node *dnode, void *arg)
{
	const char *nbr = yang_dnode_get_string(dnode, NULL);
	struct stream *s = arg;
	struct prefix p;

	if (str2prefix(nbr, &p) && (p.family == AF_INET || p.family == AF_INET6)) {
		stream_putc(s, MN_AUTHZ_NBR_ADDR);
		put_prefix(s, &p);
	} else {
		stream_putc(s, MN_AUTHZ_NBR_IFNAME);
		put_string(s, nbr);
	}
	return YANG_ITER_CONTINUE;
}

static int put_host_range_cb(const struct lyd_node *dnode, void *arg)
{
	struct prefix p;

	yang_dnode_get_prefix(&p, dnode, NULL);
	put_prefix(arg, &p);
	return YANG_ITER_CONTINUE;
}

static int send_host_cb(const struct lyd_node *dnode, void *arg)
{
	struct send_walk *w = arg;
	struct stream *s = w->s;

	msg_start(s, MN_AUTHZ_MSG_HOST);
	put_string(s, yang_dnode_get_string(dnode, "name"));
	stream_putl(s, yang_dnode_exists(dnode, "max-vips")
			       ? yang_dnode_get_uint32(dnode, "max-vips")
			       : 0);
	stream_putw(s, count_of(dnode, "neighbor"));
	yang_dnode_iterate(put_neighbor_cb, s, dnode, "neighbor");
	stream_putw(s, count_of(dnode, "vip-range"));
	yang_dnode_iterate(put_host_range_cb, s, dnode, "vip-range");
	w->ok = w->ok && msg_send(s);
	return YANG_ITER_CONTINUE;
}

static void authz_send(struct event *event)
{
	const struct lyd_node *authz = NULL;
	struct send_walk w = { .ok = true };

	if (!config_read || !mn_zclient || mn_zclient->sock < 0)
		return;
	if (yang_dnode_exists(running_config->dnode, "/frr-multinic:multinic/authorization"))
		authz = yang_dnode_get(running_config->dnode,
				       "/frr-multinic:multinic/authorization");
	generation++;
	w.s = stream_new(ZEBRA_MAX_PACKET_SIZ);
	msg_start(w.s, MN_AUTHZ_MSG_BEGIN);
	stream_putl(w.s, authz && yang_dnode_exists(authz, "max-vips-per-host")
				 ? yang_dnode_get_uint32(authz, "max-vips-per-host")
				 : 0);
	stream_putl(w.s, count_of(authz, "vip-range"));
	stream_putl(w.s, count_of(authz, "host"));
	w.ok = msg_send(w.s);
	if (authz) {
		yang_dnode_iterate(send_range_cb, &w, authz, "vip-range");
		yang_dnode_iterate(send_host_cb, &w, authz, "host");
	}
	msg_start(w.s, MN_AUTHZ_MSG_END);
	w.ok = w.ok && msg_send(w.s);
	stream_free(w.s);
	sent_ok = w.ok;
	sent_at = monotime(NULL);
	if (!w.ok)
		zlog_warn("authorization policy (generation %u) could not be sent to bgpd_multinic; it is sent again when zebra reconnects or bgpd_multinic asks",
			  generation);
	else
		DEBUGD(&mn_dbg_authz, "authorization policy (generation %u) sent to bgpd_multinic",
		       generation);
}

static void authz_schedule_send(void)
{
	event_add_event(master, authz_send, NULL, 0, &t_send);
}

void mn_authz_changed(void)
{
	authz_schedule_send();
}

void mn_authz_config_end(void)
{
	config_read = true;
	event_cancel(&t_startup);
	authz_schedule_send();
}

static void authz_startup_timeout(struct event *event)
{
	mn_authz_config_end();
}

void mn_authz_zebra_connected(struct zclient *zc)
{
	zclient_register_opaque(zc, MN_OPAQUE_AUTHZ_REQUEST);
	authz_schedule_send();
}

void mn_authz_requested(void)
{
	authz_schedule_send();
}

static int count_task_addr_cb(const struct lyd_node *dnode, void *arg)
{
	unsigned int *count = arg;
	struct prefix p;

	yang_dnode_get_prefix(&p, dnode, NULL);
	count[mn_authz_fam_idx(&p)]++;
	return YANG_ITER_CONTINUE;
}

void mn_authz_status(struct mn_authz_status *st)
{
	static const char *const addrs[] = { "task/vip-v4", "task/vip-v6", "task/nic-address/ipv4",
					     "task/nic-address/ipv6" };
	const struct lyd_node *root = NULL;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (yang_dnode_exists(running_config->dnode, "/frr-multinic:multinic"))
		root = yang_dnode_get(running_config->dnode, "/frr-multinic:multinic");
	for (i = 0; root && i < array_size(addrs); i++)
		yang_dnode_iterate(count_task_addr_cb, st->task_vips, root, "%s", addrs[i]);
	st->generation = generation;
	st->sent_ok = sent_ok;
	st->sent_at = sent_at;
	st->config_read = config_read;
}

void mn_authz_init(void)
{
	event_add_timer(master, authz_startup_timeout, NULL, MN_AUTHZ_STARTUP_WAIT_S, &t_startup);
}

void mn_authz_terminate(void)
{
	event_cancel(&t_send);
	event_cancel(&t_startup);
}
