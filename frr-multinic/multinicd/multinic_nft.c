// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: anti-spoofing in nftables (see multinic_nft.h).
 *
 * Through libnftables: each change is one nft batch, applied by the
 * kernel as one transaction, so a device is never guarded without its
 * sources.
 */
#include <zebra.h>

#include <nftables/libnftables.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/printfrr.h"

#include "multinicd.h"
#include "multinic_debug.h"
#include "multinic_errors.h"
#include "multinic_nft.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_NFT_CMD, "multinic nftables command");

#define NFT_TABLE "inet multinic"

static struct nft_ctx *nft;

static struct nft_ctx *nft_ctx(void)
{
	if (!nft) {
		nft = nft_ctx_new(NFT_CTX_DEFAULT);
		if (!nft)
			return NULL;
		nft_ctx_buffer_output(nft);
		nft_ctx_buffer_error(nft);
	}
	return nft;
}

/* Run a batch; err gets nft's first error line. */
static int nft_run(const char *cmd, char *err, size_t len)
{
	struct nft_ctx *ctx = nft_ctx();
	const char *why;
	int ret;

	if (!ctx) {
		snprintf(err, len, "nftables: cannot create a context");
		return -ENOMEM;
	}
	frr_with_privs (&multinic_privs)
		ret = nft_run_cmd_from_buffer(ctx, cmd);
	if (ret == 0)
		return 0;
	why = nft_ctx_get_error_buffer(ctx);
	snprintf(err, len, "nftables: %.*s", (int)strcspn(why ?: "", "\n"), why ?: "");
	return -EIO;
}

/*
 * The table's layout.  Every guarded device is an element of a few
 * shared sets; a guard or unguard adds or removes elements only.  The
 * earlier layout had a chain, a counter and anonymous interval sets per
 * device: libnftables fetches the chains, objects and every interval
 * set's elements into its cache before each command, so each task cost
 * a dump of all the others (O(T^2) for T tasks: 1024 tasks took minutes,
 * a show of their counters longer).  Sets of plain (non-interval) keys
 * are never fetched for an element add, so a guard costs the same at any
 * T.  A task's sources are host addresses (the model refuses anything
 * else), hence exact keys.
 *
 *   guarded   the devices under guard (the chain returns for any other)
 *   allowed4  device . IPv4 source it may send from
 *   allowed6  device . IPv6 source
 *   spoofed   device -> packets dropped; each guarded device has its
 *             element from the start (a lookup of a missing element costs
 *             libnftables a full error path), the chain updates it
 *
 * Besides its own addresses a task needs only IPv6 neighbour discovery
 * and MLD from its link-local address or, during duplicate address
 * detection, from ::, to link-local or multicast destinations (the
 * kernel never routes a link-local source); ARP is not seen here.  DHCP
 * (from 0.0.0.0) is not needed: its addresses come from multinicd.
 */
#define NFT_CHAIN "guard"

static const char layout[] =
	"table " NFT_TABLE " {\n"
	" set guarded { type ifname; }\n"
	" set allowed4 { type ifname . ipv4_addr; }\n"
	" set allowed6 { type ifname . ipv6_addr; }\n"
	" set spoofed { type ifname; size 1048576; flags dynamic; counter; }\n"
	" chain " NFT_CHAIN " { type filter hook prerouting priority raw; policy accept; }\n"
	"}\n"
	"flush chain " NFT_TABLE " " NFT_CHAIN "\n"
	"add rule " NFT_TABLE " " NFT_CHAIN " iifname != @guarded return\n"
	"add rule " NFT_TABLE " " NFT_CHAIN " iifname . ip saddr @allowed4 return\n"
	"add rule " NFT_TABLE " " NFT_CHAIN " iifname . ip6 saddr @allowed6 return\n"
	"add rule " NFT_TABLE " " NFT_CHAIN " ip6 saddr { fe80::/10, ::/128 }"
	" ip6 daddr { fe80::/10, ff00::/8 } return\n"
	"add rule " NFT_TABLE " " NFT_CHAIN " update @spoofed { iifname } drop\n";

/*
 * Written once per table: the flush and the rules go in one batch, so a
 * multinicd that starts again over a guarding table never leaves a
 * packet unchecked.
 */
static bool layout_ready;

static int layout_ensure(char *err, size_t len)
{
	int ret;

	if (layout_ready)
		return 0;
	ret = nft_run(layout, err, len);
	layout_ready = ret == 0;
	return ret;
}

/*
 * Device names go into the sets as quoted strings: the device's name
 * must be a plain one (multinicd's own names always are:
 * multinic_names.c).
 */
static bool ifname_ok(const char *ifname)
{
	return ifname[0] && strlen(ifname) < IFNAMSIZ &&
	       strspn(ifname, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(ifname);
}

/* A batch being written; len past size means it did not fit. */
struct nft_batch {
	char *buf;
	size_t size, len;
};

PRINTFRR(2, 3)
static void batch_add(struct nft_batch *b, const char *fmt, ...)
{
	va_list ap;

	if (b->len >= b->size)
		return;
	va_start(ap, fmt);
	b->len += vsnprintfrr(b->buf + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
}

/* "VERB element ... allowedN { "dev" . addr }" for a host address. */
static void batch_source(struct nft_batch *b, const char *verb, const char *dev,
			 const struct prefix *p)
{
	if (p->family == AF_INET)
		batch_add(b, "%s element " NFT_TABLE " allowed4 { \"%s\" . %pI4 }\n", verb, dev,
			  &p->u.prefix4);
	else if (p->family == AF_INET6)
		batch_add(b, "%s element " NFT_TABLE " allowed6 { \"%s\" . %pI6 }\n", verb, dev,
			  &p->u.prefix6);
}

static int batch_run(struct nft_batch *b, const char *dev, char *err, size_t len)
{
	if (b->len >= b->size) {
		snprintf(err, len, "nftables: too many addresses for %s", dev);
		return -ENOSPC;
	}
	return nft_run(b->buf, err, len);
}

/*
 * The device's sources first, then the device itself: it is never
 * guarded without them.  Added to what an earlier multinicd left for the
 * device (a source no longer its own goes at reconcile).
 */
int mn_nft_task_guard(const char *host_ifname, const struct prefix *allowed, unsigned int n,
		      char *err, size_t len)
{
	struct nft_batch b = { .size = 256 + n * 128 };
	const char *dev = host_ifname;
	unsigned int i;
	int ret;

	if (!ifname_ok(dev)) {
		snprintf(err, len, "nftables: %s is not a usable device name", dev);
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		if (!is_host_route(&allowed[i])) {
			snprintfrr(err, len, "nftables: %pFX is not a host address", &allowed[i]);
			return -EINVAL;
		}
	ret = layout_ensure(err, len);
	if (ret < 0)
		return ret;
	b.buf = XCALLOC(MTYPE_MN_NFT_CMD, b.size);
	for (i = 0; i < n; i++)
		batch_source(&b, "add", dev, &allowed[i]);
	batch_add(&b,
		  "add element " NFT_TABLE " spoofed { \"%s\" }\n"
		  "add element " NFT_TABLE " guarded { \"%s\" }\n",
		  dev, dev);
	ret = batch_run(&b, dev, err, len);
	XFREE(MTYPE_MN_NFT_CMD, b.buf);
	return ret;
}

/*
 * The device leaves the guard first.  Each element alone: whatever is
 * already gone, the rest still goes.
 */
void mn_nft_task_unguard(const char *host_ifname, const struct prefix *allowed, unsigned int n)
{
	struct nft_batch b = { .size = 256 };
	char buf[256], err[256];
	unsigned int i;

	if (!ifname_ok(host_ifname))
		return;
	b.buf = buf;
	batch_add(&b, "delete element " NFT_TABLE " guarded { \"%s\" }\n", host_ifname);
	nft_run(buf, err, sizeof(err));
	for (i = 0; i < n; i++) {
		b.len = 0;
		batch_source(&b, "delete", host_ifname, &allowed[i]);
		if (b.len)
			nft_run(buf, err, sizeof(err));
	}
	b.len = 0;
	batch_add(&b, "delete element " NFT_TABLE " spoofed { \"%s\" }\n", host_ifname);
	nft_run(buf, err, sizeof(err));
}

/* "... elements = { "dev" counter packets N bytes M } ..." */
bool mn_nft_task_spoofed(const char *host_ifname, uint64_t *packets)
{
	struct nft_ctx *ctx = nft_ctx();
	char cmd[128], err[256];
	const char *out, *at;

	*packets = 0;
	if (!ctx || !layout_ready || !ifname_ok(host_ifname))
		return false;
	snprintf(cmd, sizeof(cmd), "get element " NFT_TABLE " spoofed { \"%s\" }", host_ifname);
	if (nft_run(cmd, err, sizeof(err)) < 0)
		return false;
	out = nft_ctx_get_output_buffer(ctx);
	at = out ? strstr(out, "counter packets ") : NULL;
	if (!at)
		return false;
	*packets = strtoull(at + strlen("counter packets "), NULL, 10);
	return true;
}

/*
 * Reconciling
 */

/*
 * "list table ..." in nft's JSON output: the parsed {"nftables": [...]}
 * array (to be put by the caller with its root), or NULL when the table
 * does not exist.
 */
static struct json_object *nft_list(const char *what, struct json_object **root)
{
	struct nft_ctx *ctx = nft_ctx();
	struct json_object *list = NULL;
	char cmd[128], err[256];

	*root = NULL;
	if (!ctx)
		return NULL;
	snprintf(cmd, sizeof(cmd), "list %s", what);
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	if (nft_run(cmd, err, sizeof(err)) == 0)
		*root = json_tokener_parse(nft_ctx_get_output_buffer(ctx));
	nft_ctx_output_set_flags(ctx, 0);
	if (*root && (!json_object_object_get_ex(*root, "nftables", &list) ||
		      !json_object_is_type(list, json_type_array)))
		list = NULL;
	if (!list && *root) {
		json_object_put(*root);
		*root = NULL;
	}
	return list;
}

/* {"set": {"name": NAME, "elem": [...]}} among the listed objects */
static struct json_object *set_elements(struct json_object *list, const char *name)
{
	struct json_object *set, *val, *elem;
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(list, i), "set", &set) &&
		    json_object_object_get_ex(set, "name", &val) &&
		    strmatch(json_object_get_string(val), name))
			return json_object_object_get_ex(set, "elem", &elem) ? elem : NULL;
	return NULL;
}

/* An element's device: "dev", {"concat": ["dev", addr]} or {"elem": {"val": "dev", ...}} */
static const char *element_device(struct json_object *e, struct prefix *addr)
{
	struct json_object *concat, *inner, *val;

	if (json_object_is_type(e, json_type_string))
		return json_object_get_string(e);
	if (json_object_object_get_ex(e, "elem", &inner) &&
	    json_object_object_get_ex(inner, "val", &val))
		return json_object_get_string(val);
	if (!json_object_object_get_ex(e, "concat", &concat) ||
	    json_object_array_length(concat) != 2)
		return NULL;
	if (addr && !str2prefix(json_object_get_string(json_object_array_get_idx(concat, 1)),
				addr))
		return NULL;
	return json_object_get_string(json_object_array_get_idx(concat, 0));
}

struct reconcile {
	bool (*claimed)(const char *host_ifname, const struct prefix *source, void *arg);
	void *arg;
	unsigned int removed, kept;
};

/* The elements of one set that claimed() does not own go, each alone. */
static void reconcile_set(struct reconcile *rc, struct json_object *list, const char *name,
			  bool sources)
{
	struct json_object *elems = set_elements(list, name);
	struct nft_batch b = { .size = 256 };
	char buf[256], err[256];
	struct prefix addr;
	const char *dev;
	size_t i;

	b.buf = buf;
	for (i = 0; elems && i < json_object_array_length(elems); i++) {
		dev = element_device(json_object_array_get_idx(elems, i), sources ? &addr : NULL);
		if (!dev || !ifname_ok(dev))
			continue;
		if (rc->claimed(dev, sources ? &addr : NULL, rc->arg)) {
			rc->kept += !sources;
			continue;
		}
		b.len = 0;
		if (sources) {
			batch_source(&b, "delete", dev, &addr);
		} else {
			batch_add(&b, "delete element " NFT_TABLE " %s { \"%s\" }\n", name, dev);
			if (strmatch(name, "guarded")) {
				zlog_info("nftables: removed the anti-spoofing of %s, left by an earlier multinicd",
					  dev);
				rc->removed++;
			}
		}
		nft_run(buf, err, sizeof(err));
	}
}

/* The name of an object of KIND among the listed ones, unless it is ours. */
static const char *old_object(struct json_object *item, const char *kind)
{
	struct json_object *obj, *name;
	const char *s;

	if (!json_object_object_get_ex(item, kind, &obj) ||
	    !json_object_object_get_ex(obj, "name", &name))
		return NULL;
	s = json_object_get_string(name);
	if (!s || strmatch(s, NFT_CHAIN))
		return NULL;
	return s;
}

/* "VERB KIND table NAME" for every old object of KIND, into the batch. */
static void batch_old_objects(struct nft_batch *b, struct json_object *list, const char *verb,
			      const char *kind)
{
	const char *name;
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		name = old_object(json_object_array_get_idx(list, i), kind);
		if (!name)
			continue;
		if (b->len + 128 >= b->size) {
			b->size *= 2;
			b->buf = XREALLOC(MTYPE_MN_NFT_CMD, b->buf, b->size);
		}
		batch_add(b, "%s %s " NFT_TABLE " %s\n", verb, kind, name);
	}
}

/*
 * What an earlier multinicd of the previous layout (a chain "antispoof"
 * dispatching through the map "tasks" to a chain t_DEV and a counter
 * spoofed_DEV per device) left: by now every attached task is guarded in
 * the sets above, so all of it goes, in one batch, each object once
 * nothing refers to it any more.
 */
static void reconcile_old_layout(struct json_object *list)
{
	struct nft_batch b = { .size = 4096 };
	char err[256];

	b.buf = XCALLOC(MTYPE_MN_NFT_CMD, b.size);
	batch_old_objects(&b, list, "flush", "chain");
	batch_old_objects(&b, list, "delete", "map");
	batch_old_objects(&b, list, "delete", "counter");
	batch_old_objects(&b, list, "delete", "chain");
	if (b.len && nft_run(b.buf, err, sizeof(err)) < 0)
		zlog_warn("cannot remove the previous anti-spoofing layout: %s", err);
	else if (b.len)
		zlog_info("nftables: the previous anti-spoofing layout (a chain per task) removed");
	XFREE(MTYPE_MN_NFT_CMD, b.buf);
}

/*
 * After a restart, once the tasks are attached: every device, and every
 * source of a device, that claimed() does not own leaves the sets; with
 * no device left, the table goes.
 */
unsigned int mn_nft_reconcile(bool (*claimed)(const char *host_ifname,
					      const struct prefix *source, void *arg),
			      void *arg)
{
	struct reconcile rc = { .claimed = claimed, .arg = arg };
	struct json_object *root, *list;

	list = nft_list("table " NFT_TABLE, &root);
	if (!list)
		return 0; /* no table: nothing was left */
	reconcile_old_layout(list);
	reconcile_set(&rc, list, "guarded", false);
	reconcile_set(&rc, list, "allowed4", true);
	reconcile_set(&rc, list, "allowed6", true);
	reconcile_set(&rc, list, "spoofed", false);
	json_object_put(root);
	if (!rc.kept)
		mn_nft_table_remove();
	return rc.removed;
}

/* No task guarded any more: the table goes. */
void mn_nft_table_remove(void)
{
	char err[256];

	layout_ready = false;
	if (nft_run("delete table " NFT_TABLE, err, sizeof(err)) < 0)
		DEBUGD(&mn_dbg_datapath, "%s", err);
}

/*
 * multinicd stops: memory only.  The table stays, as the tasks' rules
 * do: the tasks keep forwarding while it is down, and stay guarded.
 */
void mn_nft_terminate(void)
{
	if (!nft)
		return;
	nft_ctx_free(nft);
	nft = NULL;
	layout_ready = false;
}
