// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the NICs and task prefixes handed to bgpd_multinic (see
 * multinic_ingress.h and common/multinic_ingress_wire.h).
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/frrevent.h"
#include "lib/if.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/monotime.h"
#include "lib/prefix.h"
#include "lib/stream.h"
#include "lib/vrf.h"
#include "lib/zclient.h"

#include "multinicd.h"
#include "multinic_debug.h"
#include "multinic_ingress.h"
#include "multinic_nic.h"
#include "multinic_task.h"
#include "multinic_zapi.h"
#include "common/multinic_ingress_wire.h"

#include "multinicd/multinic_ingress_clippy.c"

static struct event *t_nics, *t_prefixes;
static bool settled;
static struct mn_ingress_status status;

/*
 * Encoding
 */

/* Only interface names (IFNAMSIZ) go out as strings. */
static void put_string(struct stream *s, const char *str)
{
	size_t len = strnlen(str, IFNAMSIZ);

	stream_putc(s, len);
	stream_put(s, str, len);
}

static void put_prefix(struct stream *s, const struct prefix *p)
{
	stream_putc(s, p->family);
	stream_putc(s, p->prefixlen);
	stream_put(s, &p->u.prefix, p->family == AF_INET ? 4 : 16);
}

/* A NIC's address of a family, as the wire has it (family 0: none). */
static void put_address(struct stream *s, const struct prefix *a)
{
	stream_putc(s, a ? a->family : 0);
	if (a)
		stream_put(s, &a->u.prefix, a->family == AF_INET ? 4 : 16);
}

static void msg_start(struct stream *s, enum mn_ingress_msg_kind kind, uint32_t generation)
{
	mn_zapi_opaque_start(s, MN_INGRESS_WIRE_VERSION, kind, generation);
}

static bool msg_send(struct stream *s)
{
	return mn_zapi_opaque_send(MN_OPAQUE_INGRESS, s);
}

static bool can_send(void)
{
	return settled && mn_zclient && mn_zclient->sock >= 0;
}

static void sent(bool ok, const char *what, uint32_t generation)
{
	status.sent_ok = ok;
	status.sent_at = monotime(NULL);
	if (!ok)
		zlog_warn("ingress %s (generation %u) could not be sent to bgpd_multinic; they are sent again when zebra reconnects or bgpd_multinic asks",
			  what, generation);
}

/*
 * The NICs: one message holds them all
 */

/*
 * The NIC's own address of a family on its link: the first primary IPv4
 * address, the first global IPv6 address (what the rack switch reaches it
 * by, and what single-session mode announces as the NIC's next hop).
 */
static const struct prefix *nic_address(const struct mn_nic *nic, int family)
{
	struct interface *ifp = if_lookup_by_index(nic->ifindex, VRF_DEFAULT);
	struct connected *c;

	if (!ifp)
		return NULL;
	frr_each (if_connected, ifp->connected, c) {
		if (c->address->family != family || CHECK_FLAG(c->flags, ZEBRA_IFA_SECONDARY))
			continue;
		if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&c->address->u.prefix6))
			continue;
		return c->address;
	}
	return NULL;
}

static void put_nic(struct stream *s, const struct mn_nic *nic)
{
	put_string(s, nic->name);
	stream_putl(s, nic->ifindex);
	stream_putc(s, nic->oper_up ? MN_INGRESS_NIC_UP : 0);
	stream_putl(s, mn_nic_speed(nic));
	put_address(s, nic_address(nic, AF_INET));
	put_address(s, nic_address(nic, AF_INET6));
}

static void send_nics(struct event *event)
{
	const struct mn_nic *nic;
	struct stream *s;
	uint16_t n = 0;
	size_t count_at;
	bool ok;

	if (!can_send())
		return;
	s = stream_new(ZEBRA_MAX_PACKET_SIZ);
	msg_start(s, MN_INGRESS_MSG_NICS, ++status.nics_generation);
	count_at = stream_get_endp(s);
	stream_putw(s, 0);
	frr_each (mn_nics_const, &mn_nics, nic) {
		if (n == MN_INGRESS_NICS_MAX) {
			zlog_warn("ingress: more than %d NICs; bgpd_multinic is told about the first %d",
				  MN_INGRESS_NICS_MAX, MN_INGRESS_NICS_MAX);
			break;
		}
		put_nic(s, nic);
		n++;
	}
	stream_putw_at(s, count_at, n);
	ok = msg_send(s);
	stream_free(s);
	status.nics = n;
	sent(ok, "NICs", status.nics_generation);
	DEBUGD(&mn_dbg_ingress, "ingress: %u NIC(s) sent to bgpd_multinic (generation %u)", n,
	       status.nics_generation);
}

/*
 * The task prefixes: BEGIN, chunks of entries, END
 */

struct prefix_sender {
	struct stream *s;
	uint32_t generation;
	size_t count_at;
	uint16_t in_chunk;
	unsigned int total;
	bool ok;
};

static void chunk_flush(struct prefix_sender *ps)
{
	if (!ps->in_chunk)
		return;
	stream_putw_at(ps->s, ps->count_at, ps->in_chunk);
	ps->ok = msg_send(ps->s) && ps->ok;
	ps->in_chunk = 0;
}

static void put_entry(struct prefix_sender *ps, const struct prefix *p, const char *nic,
		      bool announce, bool up)
{
	if (ps->in_chunk == MN_INGRESS_CHUNK)
		chunk_flush(ps);
	if (!ps->in_chunk) {
		msg_start(ps->s, MN_INGRESS_MSG_PREFIXES, ps->generation);
		ps->count_at = stream_get_endp(ps->s);
		stream_putw(ps->s, 0);
	}
	put_prefix(ps->s, p);
	put_string(ps->s, nic);
	stream_putc(ps->s, (announce ? MN_INGRESS_PFX_ANNOUNCE : 0) | (up ? MN_INGRESS_PFX_UP : 0));
	ps->in_chunk++;
	ps->total++;
}

/* Every task prefix: the VIPs (for all NICs), the per-NIC addresses. */
static void each_task_prefix(struct prefix_sender *ps)
{
	const struct mn_task_addr *ta;
	const struct mn_task *task;
	afi_t afi;

	frr_each (mn_tasks_const, &mn_tasks, task)
		for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
			if (task->has_vip[afi])
				put_entry(ps, &task->vip[afi], "", task->announce,
					  task->host_routes[afi]);
			frr_each (mn_task_addrs_const, &task->addrs, ta)
				if (ta->has[afi])
					put_entry(ps, &ta->addr[afi], ta->nic, task->announce,
						  ta->host_route[afi]);
		}
}

static unsigned int task_prefix_count(void)
{
	const struct mn_task_addr *ta;
	const struct mn_task *task;
	unsigned int n = 0;
	afi_t afi;

	frr_each (mn_tasks_const, &mn_tasks, task)
		for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
			n += task->has_vip[afi];
			frr_each (mn_task_addrs_const, &task->addrs, ta)
				n += ta->has[afi];
		}
	return n;
}

static void send_prefixes(struct event *event)
{
	struct prefix_sender ps = { .ok = true };
	unsigned int count = task_prefix_count();

	if (!can_send())
		return;
	ps.s = stream_new(ZEBRA_MAX_PACKET_SIZ);
	ps.generation = ++status.prefixes_generation;
	msg_start(ps.s, MN_INGRESS_MSG_BEGIN, ps.generation);
	stream_putl(ps.s, count);
	ps.ok = msg_send(ps.s);
	each_task_prefix(&ps);
	chunk_flush(&ps);
	msg_start(ps.s, MN_INGRESS_MSG_END, ps.generation);
	ps.ok = msg_send(ps.s) && ps.ok;
	stream_free(ps.s);
	status.prefixes = ps.total;
	sent(ps.ok, "task prefixes", ps.generation);
	DEBUGD(&mn_dbg_ingress, "ingress: %u task prefix(es) sent to bgpd_multinic (generation %u)",
	       ps.total, ps.generation);
}

/*
 * When to send: after whatever changed, coalesced into one message (set)
 * per pass of the event loop.
 */

static void schedule_nics(void)
{
	if (settled)
		event_add_event(master, send_nics, NULL, 0, &t_nics);
}

static void schedule_prefixes(void)
{
	if (settled)
		event_add_event(master, send_prefixes, NULL, 0, &t_prefixes);
}

static int nics_changed(void)
{
	schedule_nics();
	return 0;
}

static int task_routes_changed(const struct mn_task *task)
{
	schedule_prefixes();
	return 0;
}

static int tasks_settled(void)
{
	settled = true;
	status.sending = true;
	schedule_nics();
	schedule_prefixes();
	return 0;
}

void mn_ingress_addresses_changed(void)
{
	schedule_nics();
}

void mn_ingress_requested(void)
{
	schedule_nics();
	schedule_prefixes();
}

void mn_ingress_zebra_connected(struct zclient *zc)
{
	zclient_register_opaque(zc, MN_OPAQUE_INGRESS_REQUEST);
	mn_ingress_requested();
}

void mn_ingress_status(struct mn_ingress_status *st)
{
	*st = status;
}

/*
 * show multinic ingress
 */

DEFPY(show_multinic_ingress, show_multinic_ingress_cmd, "show multinic ingress [json]$uj",
      SHOW_STR "Multi-NIC task networking (multinicd)\n"
      "What bgpd_multinic is told: NICs and task prefixes\n" JSON_STR)
{
	struct mn_ingress_status st;
	const struct mn_nic *nic;
	json_object *json = NULL, *jnics = NULL;
	time_t ago;

	mn_ingress_status(&st);
	ago = st.sent_at ? monotime(NULL) - st.sent_at : -1;
	if (uj) {
		json = json_object_new_object();
		json_object_boolean_add(json, "sending", st.sending);
		json_object_int_add(json, "nicsGeneration", st.nics_generation);
		json_object_int_add(json, "prefixesGeneration", st.prefixes_generation);
		json_object_int_add(json, "nicsSent", st.nics);
		json_object_int_add(json, "prefixesSent", st.prefixes);
		json_object_boolean_add(json, "sentOk", st.sent_ok);
		if (ago >= 0)
			json_object_int_add(json, "sentSecondsAgo", ago);
		jnics = json_object_new_object();
	} else if (!st.sending) {
		vty_out(vty, "Nothing sent to bgpd_multinic yet: the tasks have not settled since multinicd started\n");
	} else {
		vty_out(vty, "Sent to bgpd_multinic %lld s ago%s: %u NIC(s) (generation %u), %u task prefix(es) (generation %u)\n",
			(long long)ago, st.sent_ok ? "" : " (incompletely)", st.nics,
			st.nics_generation, st.prefixes, st.prefixes_generation);
	}
	frr_each (mn_nics_const, &mn_nics, nic) {
		const struct prefix *a4 = nic_address(nic, AF_INET);
		const struct prefix *a6 = nic_address(nic, AF_INET6);

		if (json) {
			json_object *j = json_object_new_object();

			json_object_boolean_add(j, "up", nic->oper_up);
			json_object_int_add(j, "speed", mn_nic_speed(nic));
			if (a4)
				json_object_string_addf(j, "address", "%pI4", &a4->u.prefix4);
			if (a6)
				json_object_string_addf(j, "addressV6", "%pI6", &a6->u.prefix6);
			json_object_object_add(jnics, nic->name, j);
			continue;
		}
		vty_out(vty, "  NIC %s: %s, %u Mbit/s", nic->name, nic->oper_up ? "up" : "down",
			mn_nic_speed(nic));
		if (a4)
			vty_out(vty, ", %pI4", &a4->u.prefix4);
		if (a6)
			vty_out(vty, ", %pI6", &a6->u.prefix6);
		vty_out(vty, "\n");
	}
	if (json) {
		json_object_object_add(json, "nics", jnics);
		vty_json(vty, json);
	}
	return CMD_SUCCESS;
}

void mn_ingress_init(void)
{
	hook_register(mn_nics_changed, nics_changed);
	hook_register(mn_task_routes_changed, task_routes_changed);
	hook_register(mn_tasks_settled, tasks_settled);
	install_element(VIEW_NODE, &show_multinic_ingress_cmd);
}

/*
 * Stopping is not deconfiguring: the tasks stay wired and zebra keeps
 * their routes, so bgpd_multinic keeps the state it was last sent (it
 * does when multinicd goes away).  Nothing is sent from here on: the
 * tasks being forgotten in memory must not reach it as withdrawn.
 */
void mn_ingress_terminate(void)
{
	hook_unregister(mn_nics_changed, nics_changed);
	hook_unregister(mn_task_routes_changed, task_routes_changed);
	hook_unregister(mn_tasks_settled, tasks_settled);
	event_cancel(&t_nics);
	event_cancel(&t_prefixes);
	settled = false;
}
