// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the local interface of the CNI plugin (multinic-cni).
 *
 * Every request is turned into a northbound transaction built the way
 * FRR's own clients build theirs (a candidate copied from the running
 * configuration, nb_candidate_edit_config_changes(), nb_candidate_commit()),
 * so a container runtime's task goes through the validation and the
 * authorization policy of a configured task, and a refusal comes back
 * with the validation's own message.  Of the task layer this file only
 * reads: mn_task_find() and a task's state (status, names, VIPs, MTU) to
 * wait for the wiring and to describe it.
 */
#include <zebra.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "lib/frrevent.h"
#include "lib/jhash.h"
#include "lib/libfrr.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/network.h"
#include "lib/northbound.h"
#include "lib/yang.h"

#include "common/multinic_cni_wire.h"

#include "multinicd.h"
#include "multinic_cni.h"
#include "multinic_errors.h"
#include "multinic_nic.h"
#include "multinic_task.h"
#include "multinic_task_netns.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_CNI_CONN, "multinic CNI connection");

#define TASK_XPATH	   "/frr-multinic:multinic/task[name='%s']"
#define WIRE_POLL_MS	   50
#define REQUEST_TIMEOUT_MS 5000
#define STATE_FILE	   "multinic-cni.json"
/* Without any configuration load, restore this long after the start. */
#define RESTORE_DELAY_MS 2000

/* An attachment: what identifies a CNI task. */
struct cni_attachment {
	const char *container_id;
	const char *ifname;
	const char *network;
};

struct cni_conn {
	int fd;
	char buf[MN_CNI_MSG_MAX];
	size_t len;
	struct event *t_read;
	struct event *t_timeout;
	struct event *t_wait;
	json_object *request;
	char task[MN_TASK_NAME_MAX + 1];
	unsigned int waited_ms;
	bool restore; /* a replayed state entry: nobody to answer */
};

static int listen_fd = -1;
static struct event *t_accept;
static struct event *t_restore;
static char socket_path[PATH_MAX];
static char state_path[PATH_MAX];
static bool config_loading;
static json_object *restore_entries; /* state file entries not yet replayed */

static void cni_dispatch(struct cni_conn *conn);

/*
 * Names
 */

/*
 * A task name from the attachment: the same attachment always maps to the
 * same task (DEL and CHECK recompute it), within the 32 characters of a
 * task name and the 12 of a host device name (mn_task_ifname() hashes
 * longer names).
 */
static void cni_task_name(const struct cni_attachment *a, char *buf, size_t len)
{
	uint32_t h1, h2;

	h1 = jhash(a->container_id, strlen(a->container_id), 0x6d6e6331);
	h1 = jhash(a->ifname, strlen(a->ifname), h1);
	h2 = jhash(a->network, strlen(a->network), h1 ^ 0x636e6921);
	h2 = jhash(a->container_id, strlen(a->container_id), h2);
	snprintf(buf, len, "cni-%08x%08x", h1, h2);
}

static const char *json_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Characters the model allows in a container id or a network name. */
static bool cni_word_ok(const char *s, bool first_alnum)
{
	size_t i;

	if (!s || !*s || strlen(s) > 255)
		return false;
	for (i = 0; s[i]; i++) {
		if (isalnum((unsigned char)s[i]))
			continue;
		if ((i > 0 || !first_alnum) && strchr("_.-", s[i]))
			continue;
		return false;
	}
	return true;
}

static bool cni_attachment_get(json_object *req, struct cni_attachment *a, char *err, size_t len)
{
	char ifname_err[128];

	a->container_id = json_str(req, "containerId");
	a->ifname = json_str(req, "ifName");
	a->network = json_str(req, "network");
	if (!cni_word_ok(a->container_id, false)) {
		snprintf(err, len,
			 "invalid container id \"%s\": 1 to 255 letters, digits, '_', '.' and '-'",
			 a->container_id ? a->container_id : "");
		return false;
	}
	if (!cni_word_ok(a->network, true)) {
		snprintf(err, len,
			 "invalid network name \"%s\": a letter or digit, then letters, digits, '_', '.' and '-'",
			 a->network ? a->network : "");
		return false;
	}
	if (!a->ifname || !mn_ifname_valid(a->ifname, ifname_err, sizeof(ifname_err))) {
		snprintf(err, len, "invalid interface name: %s",
			 a->ifname ? ifname_err : "no ifName");
		return false;
	}
	return true;
}

/* The running configuration's cni container of a task, or NULL. */
static const struct lyd_node *cni_marker(const char *task)
{
	if (!yang_dnode_existsf(running_config->dnode, TASK_XPATH "/cni", task))
		return NULL;
	return yang_dnode_getf(running_config->dnode, TASK_XPATH "/cni", task);
}

static bool cni_marker_is(const struct lyd_node *cni, const struct cni_attachment *a)
{
	return strmatch(yang_dnode_get_string(cni, "container-id"), a->container_id) &&
	       strmatch(yang_dnode_get_string(cni, "network"), a->network) &&
	       strmatch(yang_dnode_get_string(cni, "../ifname"), a->ifname);
}

/*
 * Replies
 */

static void cni_reply(struct cni_conn *conn, json_object *reply)
{
	const char *text = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text), off = 0;
	ssize_t n;

	while (!conn->restore && off < len) {
		n = send(conn->fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue; /* a reply is small: the socket buffer takes it */
		if (n <= 0) {
			flog_err(EC_MULTINIC_CNI, "CNI: cannot answer the plugin: %s",
				 safe_strerror(errno));
			break;
		}
		off += n;
	}
	json_object_put(reply);
}

static void cni_conn_free(struct cni_conn *conn)
{
	event_cancel(&conn->t_read);
	event_cancel(&conn->t_timeout);
	event_cancel(&conn->t_wait);
	if (conn->fd >= 0)
		close(conn->fd);
	if (conn->request)
		json_object_put(conn->request);
	XFREE(MTYPE_MN_CNI_CONN, conn);
}

static void cni_error(struct cni_conn *conn, enum mn_cni_code code, const char *msg,
		      const char *details)
{
	json_object *reply = json_object_new_object();

	json_object_boolean_add(reply, "ok", false);
	json_object_int_add(reply, "code", code);
	json_object_string_add(reply, "msg", msg);
	if (details && *details)
		json_object_string_add(reply, "details", details);
	if (conn->restore)
		zlog_warn("CNI: restoring task %s: %s%s%s", conn->task, msg,
			  details && *details ? ": " : "", details ? details : "");
	else
		zlog_info("CNI: error %d: %s%s%s", code, msg, details && *details ? ": " : "",
			  details ? details : "");
	cni_reply(conn, reply);
	cni_conn_free(conn);
}

static json_object *cni_ok(void)
{
	json_object *reply = json_object_new_object();

	json_object_boolean_add(reply, "ok", true);
	return reply;
}

static json_object *cni_task_json(const struct mn_task *task)
{
	json_object *j = json_object_new_object();
	json_object *vips = json_object_new_array();
	afi_t afi;

	json_object_string_add(j, "name", task->name);
	json_object_string_add(j, "status", mn_task_status_name(task->status));
	json_object_string_add(j, "netns", task->netns);
	json_object_string_add(j, "ifName", task->peer_ifname);
	json_object_string_add(j, "hostInterface", task->host_ifname);
	json_object_string_add(j, "device", task->status == MN_TASK_WIRED
						    ? mn_task_device_name(task->device)
						    : "");
	json_object_int_add(j, "mtu", task->mtu_in_use);
	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		if (task->has_vip[afi])
			json_object_array_add(vips,
					      json_object_new_stringf("%pFX", &task->vip[afi]));
	json_object_object_add(j, "vips", vips);
	if (task->error[0])
		json_object_string_add(j, "error", task->error);
	return j;
}

/*
 * Transactions
 */

/*
 * Commit changes to a candidate copied from the running configuration,
 * as FRR's northbound clients do.  NB_ERR_NO_CHANGES counts as success.
 */
static int cni_commit(struct nb_cfg_change *changes, size_t n, const char *comment, char *err,
		      size_t len)
{
	struct nb_context context = { .client = NB_CLIENT_NONE };
	struct nb_config *candidate = nb_config_dup(running_config);
	bool error = false;
	int ret;

	err[0] = '\0';
	nb_candidate_edit_config_changes(candidate, changes, n, NULL, false, err, len, &error);
	if (error)
		ret = NB_ERR_VALIDATION;
	else
		ret = nb_candidate_commit(context, candidate, true, comment, NULL, err, len);
	nb_config_free(candidate);
	return ret == NB_ERR_NO_CHANGES ? NB_OK : ret;
}

static void change_set(struct nb_cfg_change *c, enum nb_operation op, const char *value,
		       const char *fmt, ...) PRINTFRR(4, 5);
static void change_set(struct nb_cfg_change *c, enum nb_operation op, const char *value,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintfrr(c->xpath, sizeof(c->xpath), fmt, ap);
	va_end(ap);
	c->operation = op;
	c->value = value;
}

/* The CNI code of a commit that failed. */
static enum mn_cni_code commit_code(int ret)
{
	return ret == NB_ERR_LOCKED ? MN_CNI_ERR_TRY_AGAIN : MN_CNI_ERR_REFUSED;
}

static int cni_delete_tasks(const char *const *names, size_t n, const char *comment, char *err,
			    size_t len)
{
	struct nb_cfg_change *changes;
	size_t i;
	int ret;

	if (!n)
		return NB_OK;
	changes = XCALLOC(MTYPE_TMP, n * sizeof(*changes));
	for (i = 0; i < n; i++)
		change_set(&changes[i], NB_OP_DESTROY, NULL, TASK_XPATH, names[i]);
	ret = cni_commit(changes, n, comment, err, len);
	XFREE(MTYPE_TMP, changes);
	return ret;
}

/*
 * The state file: every CNI task, as the ADD request that created it,
 * rewritten after each change.  It lives in the run state directory,
 * a tmpfs: it survives a restart of multinicd but not a reboot, exactly
 * as the containers do.
 */
struct state_walk {
	json_object *entries;
};

static int state_collect(const struct lyd_node *tnode, void *arg)
{
	struct state_walk *w = arg;
	const struct lyd_node *cni;
	json_object *e, *vips;

	if (!yang_dnode_exists(tnode, "cni"))
		return YANG_ITER_CONTINUE;
	cni = yang_dnode_get(tnode, "cni");
	e = json_object_new_object();
	json_object_string_add(e, "command", "ADD");
	json_object_string_add(e, "containerId", yang_dnode_get_string(cni, "container-id"));
	json_object_string_add(e, "network", yang_dnode_get_string(cni, "network"));
	json_object_string_add(e, "ifName", yang_dnode_get_string(tnode, "ifname"));
	if (yang_dnode_exists(tnode, "netns"))
		json_object_string_add(e, "netns", yang_dnode_get_string(tnode, "netns"));
	vips = json_object_new_array();
	if (yang_dnode_exists(tnode, "vip-v4"))
		json_object_array_add(vips, json_object_new_string(
						    yang_dnode_get_string(tnode, "vip-v4")));
	if (yang_dnode_exists(tnode, "vip-v6"))
		json_object_array_add(vips, json_object_new_string(
						    yang_dnode_get_string(tnode, "vip-v6")));
	json_object_object_add(e, "vips", vips);
	if (yang_dnode_exists(tnode, "mtu"))
		json_object_int_add(e, "mtu", yang_dnode_get_uint16(tnode, "mtu"));
	json_object_array_add(w->entries, e);
	return YANG_ITER_CONTINUE;
}

static void cni_state_save(void)
{
	struct state_walk w = { .entries = json_object_new_array() };
	char tmp[PATH_MAX + 8];
	const char *text;
	FILE *f;

	yang_dnode_iterate(state_collect, &w, running_config->dnode, "/frr-multinic:multinic/task");
	/* Entries not replayed yet are still the runtime's. */
	if (restore_entries) {
		size_t i;

		for (i = 0; i < json_object_array_length(restore_entries); i++)
			json_object_array_add(w.entries,
					      json_object_get(
						      json_object_array_get_idx(restore_entries, i)));
	}
	text = json_object_to_json_string_ext(w.entries, JSON_C_TO_STRING_PRETTY);
	snprintf(tmp, sizeof(tmp), "%s.tmp", state_path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0 || rename(tmp, state_path) < 0) {
		flog_err(EC_MULTINIC_CNI, "CNI: cannot write the state file %s: %s", state_path,
			 safe_strerror(errno));
		if (f)
			unlink(tmp);
	}
	json_object_put(w.entries);
}

/*
 * ADD
 */

static void cni_add_answer(struct cni_conn *conn, struct mn_task *task)
{
	json_object *reply = cni_ok();

	json_object_object_add(reply, "task", cni_task_json(task));
	zlog_info("CNI: task %s wired (%s %s <-> %s in %s)", task->name,
		  mn_task_device_name(task->device),
		  task->host_ifname, task->peer_ifname, task->netns);
	cni_reply(conn, reply);
	cni_conn_free(conn);
}

/* A task that could not be wired goes again: a failed ADD leaves nothing. */
static void cni_add_fail(struct cni_conn *conn, enum mn_cni_code code, const char *msg,
			 const char *details)
{
	const char *names[] = { conn->task };
	char err[BUFSIZ];

	if (!conn->restore &&
	    cni_delete_tasks(names, 1, "multinic-cni: ADD failed", err, sizeof(err)) != NB_OK)
		zlog_warn("CNI: cannot remove task %s after its failed ADD: %s", conn->task, err);
	cni_state_save();
	cni_error(conn, code, msg, details);
}

static void cni_add_wait(struct event *t)
{
	struct cni_conn *conn = EVENT_ARG(t);
	struct mn_task *task = mn_task_find(conn->task);
	char details[512];

	if (!task) {
		cni_error(conn, MN_CNI_ERR_WIRE_FAILED, "the task was removed while it was wired",
			  NULL);
		return;
	}
	/* A commit that changed the task unwired it: WIRED is the new wiring. */
	if (task->status == MN_TASK_WIRED) {
		cni_add_answer(conn, task);
		return;
	}
	if (task->status == MN_TASK_FAILED) {
		snprintf(details, sizeof(details), "task %s: %s", task->name, task->error);
		cni_add_fail(conn, MN_CNI_ERR_WIRE_FAILED, "multinicd could not wire the task",
			     details);
		return;
	}
	conn->waited_ms += WIRE_POLL_MS;
	if (conn->waited_ms >= MN_CNI_WIRE_TIMEOUT_MS) {
		snprintf(details, sizeof(details), "task %s is %s after %u ms%s%s", task->name,
			 mn_task_status_name(task->status), conn->waited_ms,
			 task->error[0] ? ": " : "", task->error);
		cni_add_fail(conn, MN_CNI_ERR_WIRE_TIMEOUT, "the task was not wired in time",
			     details);
		return;
	}
	event_add_timer_msec(master, cni_add_wait, conn, WIRE_POLL_MS, &conn->t_wait);
}

static void cni_add(struct cni_conn *conn, const struct cni_attachment *a)
{
	struct nb_cfg_change changes[16];
	const char *netns = json_str(conn->request, "netns");
	const struct lyd_node *cni;
	json_object *vips, *mtu;
	const char *vip[AFI_MAX] = {};
	char err[BUFSIZ], comment[128], mtu_str[16] = "";
	size_t n = 0, i;
	afi_t afi;
	int ret;

	if (!netns || !*netns) {
		cni_error(conn, MN_CNI_ERR_ENV, "no network namespace (CNI_NETNS)", NULL);
		return;
	}
	if (!json_object_object_get_ex(conn->request, "vips", &vips) ||
	    !json_object_is_type(vips, json_type_array) || !json_object_array_length(vips)) {
		cni_error(conn, MN_CNI_ERR_CONFIG, "no address for the task", NULL);
		return;
	}
	for (i = 0; i < json_object_array_length(vips); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(vips, i));

		afi = s && strchr(s, ':') ? AFI_IP6 : AFI_IP;
		if (vip[afi]) {
			snprintf(err, sizeof(err),
				 "%s and %s: a task has one IPv4 and one IPv6 address at most",
				 vip[afi], s);
			cni_error(conn, MN_CNI_ERR_CONFIG, "too many addresses", err);
			return;
		}
		vip[afi] = s;
	}
	if (json_object_object_get_ex(conn->request, "mtu", &mtu) && json_object_get_int(mtu) > 0)
		snprintf(mtu_str, sizeof(mtu_str), "%d", json_object_get_int(mtu));

	cni_task_name(a, conn->task, sizeof(conn->task));
	cni = cni_marker(conn->task);
	if (mn_task_find(conn->task) && (!cni || !cni_marker_is(cni, a))) {
		snprintf(err, sizeof(err),
			 "task %s exists and is not this attachment's (container %s, interface %s)",
			 conn->task, a->container_id, a->ifname);
		cni_error(conn, MN_CNI_ERR_CONFIG, "task name taken", err);
		return;
	}

	/* The whole task in one transaction: a repeated ADD changes nothing. */
	change_set(&changes[n++], NB_OP_CREATE, NULL, TASK_XPATH, conn->task);
	change_set(&changes[n++], NB_OP_MODIFY, netns, TASK_XPATH "/netns", conn->task);
	change_set(&changes[n++], NB_OP_MODIFY, a->ifname, TASK_XPATH "/ifname", conn->task);
	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		change_set(&changes[n++], vip[afi] ? NB_OP_MODIFY : NB_OP_DESTROY, vip[afi],
			   TASK_XPATH "/vip-v%d", conn->task, afi == AFI_IP ? 4 : 6);
	change_set(&changes[n++], mtu_str[0] ? NB_OP_MODIFY : NB_OP_DESTROY,
		   mtu_str[0] ? mtu_str : NULL, TASK_XPATH "/mtu", conn->task);
	change_set(&changes[n++], NB_OP_CREATE, NULL, TASK_XPATH "/cni", conn->task);
	change_set(&changes[n++], NB_OP_MODIFY, a->container_id, TASK_XPATH "/cni/container-id",
		   conn->task);
	change_set(&changes[n++], NB_OP_MODIFY, a->network, TASK_XPATH "/cni/network", conn->task);
	snprintf(comment, sizeof(comment), "multinic-cni: ADD %s", a->container_id);
	ret = cni_commit(changes, n, comment, err, sizeof(err));
	if (ret != NB_OK) {
		cni_error(conn, commit_code(ret), "multinicd refused the task", err);
		return;
	}
	zlog_info("CNI: ADD container %s interface %s network %s: task %s", a->container_id,
		  a->ifname, a->network, conn->task);
	cni_state_save();
	if (conn->restore) {
		cni_conn_free(conn);
		return;
	}
	/* Wired after the commit, by an event: wait for it. */
	event_add_timer_msec(master, cni_add_wait, conn, 0, &conn->t_wait);
}

/*
 * DEL, CHECK
 */

static void cni_del(struct cni_conn *conn, const struct cni_attachment *a)
{
	const struct lyd_node *cni;
	const char *names[] = { conn->task };
	char err[BUFSIZ], comment[128];
	int ret;

	cni_task_name(a, conn->task, sizeof(conn->task));
	cni = cni_marker(conn->task);
	/* Idempotent: a task that is gone, or another's, is nothing to delete. */
	if (cni && cni_marker_is(cni, a)) {
		snprintf(comment, sizeof(comment), "multinic-cni: DEL %s", a->container_id);
		ret = cni_delete_tasks(names, 1, comment, err, sizeof(err));
		if (ret != NB_OK) {
			cni_error(conn, commit_code(ret), "multinicd could not remove the task",
				  err);
			return;
		}
		zlog_info("CNI: DEL container %s interface %s network %s: task %s removed",
			  a->container_id, a->ifname, a->network, conn->task);
		cni_state_save();
	}
	cni_reply(conn, cni_ok());
	cni_conn_free(conn);
}

static void cni_check(struct cni_conn *conn, const struct cni_attachment *a)
{
	const struct lyd_node *cni;
	struct mn_task *task;
	json_object *reply;

	cni_task_name(a, conn->task, sizeof(conn->task));
	cni = cni_marker(conn->task);
	task = mn_task_find(conn->task);
	if (!cni || !cni_marker_is(cni, a) || !task) {
		cni_error(conn, MN_CNI_ERR_UNKNOWN_CONTAINER,
			  "multinicd has no task for this attachment", conn->task);
		return;
	}
	reply = cni_ok();
	json_object_object_add(reply, "task", cni_task_json(task));
	cni_reply(conn, reply);
	cni_conn_free(conn);
}

/*
 * STATUS: can an ADD be served now?
 */
static void cni_status(struct cni_conn *conn)
{
	json_object *reply = cni_ok();
	struct mn_nic *nic;
	unsigned int up = 0;

	frr_each (mn_nics, &mn_nics, nic)
		up += nic->oper_up;
	json_object_boolean_add(reply, "configured", multinic_cfg.configured);
	json_object_int_add(reply, "nics", mn_nics_count(&mn_nics));
	json_object_int_add(reply, "nicsUp", up);
	cni_reply(conn, reply);
	cni_conn_free(conn);
}

/*
 * GC: remove the network's tasks whose attachment is not valid any more.
 */
struct gc_walk {
	const char *network;
	json_object *valid;
	json_object *removed;
	const char **names;
	size_t n;
};

static bool gc_is_valid(json_object *valid, const char *container_id, const char *ifname)
{
	size_t i;

	for (i = 0; i < json_object_array_length(valid); i++) {
		json_object *v = json_object_array_get_idx(valid, i);
		const char *c = json_str(v, "containerId"), *i_f = json_str(v, "ifName");

		if (c && i_f && strmatch(c, container_id) && strmatch(i_f, ifname))
			return true;
	}
	return false;
}

static int gc_collect(const struct lyd_node *tnode, void *arg)
{
	struct gc_walk *w = arg;
	const char *cid, *ifname;
	json_object *r;

	if (!yang_dnode_exists(tnode, "cni") ||
	    !strmatch(yang_dnode_get_string(tnode, "cni/network"), w->network))
		return YANG_ITER_CONTINUE;
	cid = yang_dnode_get_string(tnode, "cni/container-id");
	ifname = yang_dnode_get_string(tnode, "ifname");
	if (gc_is_valid(w->valid, cid, ifname))
		return YANG_ITER_CONTINUE;
	w->names[w->n++] = yang_dnode_get_string(tnode, "name");
	r = json_object_new_object();
	json_object_string_add(r, "containerId", cid);
	json_object_string_add(r, "ifName", ifname);
	json_object_array_add(w->removed, r);
	return YANG_ITER_CONTINUE;
}

static void cni_gc(struct cni_conn *conn)
{
	struct gc_walk w = { .network = json_str(conn->request, "network") };
	json_object *reply;
	char err[BUFSIZ];
	int ret;

	if (!cni_word_ok(w.network, true)) {
		cni_error(conn, MN_CNI_ERR_CONFIG, "GC needs the network's name", NULL);
		return;
	}
	if (!json_object_object_get_ex(conn->request, "validAttachments", &w.valid) ||
	    !json_object_is_type(w.valid, json_type_array)) {
		cni_error(conn, MN_CNI_ERR_CONFIG, "GC needs cni.dev/valid-attachments", NULL);
		return;
	}
	w.names = XCALLOC(MTYPE_TMP,
			  (yang_dnode_count(running_config->dnode, "/frr-multinic:multinic/task") +
			   1) * sizeof(*w.names));
	w.removed = json_object_new_array();
	yang_dnode_iterate(gc_collect, &w, running_config->dnode, "/frr-multinic:multinic/task");
	ret = cni_delete_tasks(w.names, w.n, "multinic-cni: GC", err, sizeof(err));
	XFREE(MTYPE_TMP, w.names);
	if (ret != NB_OK) {
		json_object_put(w.removed);
		cni_error(conn, commit_code(ret), "multinicd could not remove stale tasks", err);
		return;
	}
	zlog_info("CNI: GC of network %s removed %zu task(s)", w.network, w.n);
	if (w.n)
		cni_state_save();
	reply = cni_ok();
	json_object_object_add(reply, "removed", w.removed);
	cni_reply(conn, reply);
	cni_conn_free(conn);
}

/*
 * Requests
 */

/* While a configuration loads, the CLI holds uncommitted edits: wait. */
static void cni_dispatch_later(struct event *t)
{
	cni_dispatch(EVENT_ARG(t));
}

static void cni_dispatch(struct cni_conn *conn)
{
	const char *cmd = json_str(conn->request, "command");
	struct cni_attachment a;
	char err[256];

	if (config_loading && !conn->restore) {
		conn->waited_ms += WIRE_POLL_MS;
		if (conn->waited_ms < MN_CNI_WIRE_TIMEOUT_MS) {
			event_add_timer_msec(master, cni_dispatch_later, conn, WIRE_POLL_MS,
					     &conn->t_wait);
			return;
		}
		cni_error(conn, MN_CNI_ERR_TRY_AGAIN, "multinicd is loading its configuration",
			  NULL);
		return;
	}
	conn->waited_ms = 0;
	if (!cmd) {
		cni_error(conn, MN_CNI_ERR_DECODE, "request without a command", NULL);
		return;
	}
	if (strmatch(cmd, "STATUS")) {
		cni_status(conn);
		return;
	}
	if (strmatch(cmd, "GC")) {
		cni_gc(conn);
		return;
	}
	if (!cni_attachment_get(conn->request, &a, err, sizeof(err))) {
		cni_error(conn, MN_CNI_ERR_ENV, "invalid attachment", err);
		return;
	}
	if (strmatch(cmd, "ADD"))
		cni_add(conn, &a);
	else if (strmatch(cmd, "DEL"))
		cni_del(conn, &a);
	else if (strmatch(cmd, "CHECK"))
		cni_check(conn, &a);
	else
		cni_error(conn, MN_CNI_ERR_DECODE, "unknown command", cmd);
}

static void cni_request_timeout(struct event *t)
{
	struct cni_conn *conn = EVENT_ARG(t);

	cni_error(conn, MN_CNI_ERR_DECODE, "incomplete request", "the request did not end in time");
}

static void cni_read(struct event *t)
{
	struct cni_conn *conn = EVENT_ARG(t);
	ssize_t n;

	n = read(conn->fd, conn->buf + conn->len, sizeof(conn->buf) - 1 - conn->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		event_add_read(master, cni_read, conn, conn->fd, &conn->t_read);
		return;
	}
	if (n < 0) {
		cni_conn_free(conn);
		return;
	}
	conn->len += n;
	if (n > 0 && conn->len < sizeof(conn->buf) - 1) {
		event_add_read(master, cni_read, conn, conn->fd, &conn->t_read);
		return;
	}
	/* The plugin shut down its side: the request is complete. */
	event_cancel(&conn->t_timeout);
	if (n > 0) {
		cni_error(conn, MN_CNI_ERR_DECODE, "request too large", NULL);
		return;
	}
	conn->buf[conn->len] = '\0';
	conn->request = json_tokener_parse(conn->buf);
	if (!conn->request || !json_object_is_type(conn->request, json_type_object)) {
		cni_error(conn, MN_CNI_ERR_DECODE, "the request is not a JSON object", NULL);
		return;
	}
	cni_dispatch(conn);
}

static void cni_accept(struct event *t)
{
	struct cni_conn *conn;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	event_add_read(master, cni_accept, NULL, listen_fd, &t_accept);
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	conn = XCALLOC(MTYPE_MN_CNI_CONN, sizeof(*conn));
	conn->fd = fd;
	/* Only root: the same trust as the container runtime itself. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
		cni_error(conn, MN_CNI_ERR_UNAVAILABLE, "permission denied",
			  "only root may use multinicd's CNI socket");
		return;
	}
	event_add_read(master, cni_read, conn, fd, &conn->t_read);
	event_add_timer_msec(master, cni_request_timeout, conn, REQUEST_TIMEOUT_MS,
			     &conn->t_timeout);
}

/*
 * Restart: replay the state file's tasks whose netns still exists.
 */

static void cni_restore_load(void)
{
	json_object *entries = json_object_from_file(state_path);

	if (!entries)
		return; /* no file: nothing to restore */
	if (!json_object_is_type(entries, json_type_array)) {
		flog_err(EC_MULTINIC_CNI, "CNI: %s is not a JSON array; ignored", state_path);
		json_object_put(entries);
		return;
	}
	restore_entries = entries;
}

static void cni_restore(struct event *t)
{
	json_object *entries = restore_entries;
	struct cni_conn *conn;
	char err[256];
	size_t i;

	if (!entries || config_loading || !multinic_cfg.configured)
		return; /* again at the end of the configuration load */
	restore_entries = NULL;
	for (i = 0; i < json_object_array_length(entries); i++) {
		conn = XCALLOC(MTYPE_MN_CNI_CONN, sizeof(*conn));
		conn->fd = -1;
		conn->restore = true;
		conn->request = json_object_get(json_object_array_get_idx(entries, i));
		strlcpy(conn->task, "?", sizeof(conn->task));
		/* A container that went meanwhile: its runtime has DEL'd it. */
		if (!mn_task_netns_usable(json_str(conn->request, "netns") ?: "", err, sizeof(err))) {
			zlog_info("CNI: not restoring container %s: %s",
				  json_str(conn->request, "containerId") ?: "?", err);
			cni_conn_free(conn);
			continue;
		}
		cni_dispatch(conn);
	}
	json_object_put(entries);
	cni_state_save();
}

/*
 * Configuration loads
 */

void mn_cni_config_start(void)
{
	config_loading = true;
}

void mn_cni_config_end(void)
{
	config_loading = false;
	/* Before the task layer wires the loaded tasks: restored ones with them. */
	cni_restore(NULL);
}

/*
 * Running configuration and show
 */

struct lyd_node *mn_cni_config_without_runtime_tasks(const struct lyd_node *multinic)
{
	struct lyd_node *dup = NULL, *child, *next;

	if (lyd_dup_single(multinic, NULL, LYD_DUP_RECURSIVE | LYD_DUP_WITH_FLAGS, &dup))
		return NULL;
	LY_LIST_FOR_SAFE(lyd_child(dup), next, child)
	if (strmatch(child->schema->name, "task") && yang_dnode_exists(child, "cni"))
		lyd_free_tree(child);
	return dup;
}

void mn_cni_task_show(const struct mn_task *task, struct vty *vty, json_object *json)
{
	const struct lyd_node *cni = cni_marker(task->name);
	json_object *j;

	if (!cni)
		return;
	if (json) {
		j = json_object_new_object();
		json_object_string_add(j, "containerId", yang_dnode_get_string(cni, "container-id"));
		json_object_string_add(j, "network", yang_dnode_get_string(cni, "network"));
		json_object_string_add(j, "ifName", task->peer_ifname);
		json_object_object_add(json, "cni", j);
		return;
	}
	vty_out(vty, "  CNI attachment: container %s, network %s, interface %s (runtime state)\n",
		yang_dnode_get_string(cni, "container-id"), yang_dnode_get_string(cni, "network"),
		task->peer_ifname);
}

/*
 * Northbound: the marker carries no behaviour of its own; the task it
 * sits on is wired like any other.
 */
int multinic_task_cni_create(struct nb_cb_create_args *args)
{
	return NB_OK;
}

int multinic_task_cni_destroy(struct nb_cb_destroy_args *args)
{
	return NB_OK;
}

int multinic_task_cni_leaf_modify(struct nb_cb_modify_args *args)
{
	return NB_OK;
}

/*
 * Socket
 */

static int cni_listen(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlcpy(sun.sun_path, socket_path, sizeof(sun.sun_path)) >= sizeof(sun.sun_path)) {
		flog_err(EC_MULTINIC_CNI, "CNI: socket path too long: %s", socket_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(socket_path);
	/* 0600 from the start: no window in which others may connect. */
	mode_t old = umask(0177);
	int ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun));

	umask(old);
	if (ret < 0 || listen(fd, 16) < 0) {
		flog_err(EC_MULTINIC_CNI, "CNI: cannot listen on %s: %s", socket_path,
			 safe_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void mn_cni_init(void)
{
	snprintf(socket_path, sizeof(socket_path), "%s/%s", frr_runstatedir, MN_CNI_SOCKET_NAME);
	snprintf(state_path, sizeof(state_path), "%s/%s", frr_runstatedir, STATE_FILE);
	listen_fd = cni_listen();
	if (listen_fd >= 0) {
		zlog_info("CNI: listening on %s", socket_path);
		event_add_read(master, cni_accept, NULL, listen_fd, &t_accept);
	}
	cni_restore_load();
	/* Without any configuration load (no vtysh -b), restore on our own. */
	event_add_timer_msec(master, cni_restore, NULL, RESTORE_DELAY_MS, &t_restore);
}

void mn_cni_terminate(void)
{
	event_cancel(&t_accept);
	event_cancel(&t_restore);
	if (listen_fd >= 0) {
		close(listen_fd);
		unlink(socket_path);
		listen_fd = -1;
	}
	if (restore_entries)
		json_object_put(restore_entries);
	restore_entries = NULL;
}
