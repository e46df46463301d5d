// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: anti-spoofing in nftables (see multinic_nft.h).
 *
 * Through libnftables: each change is one nft batch, applied by the
 * kernel as one transaction, so a task's chain is never seen half
 * written.
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
 * Chain and counter names are nft identifiers: the device's name must
 * be one (multinicd's own names always are: multinic_names.c).
 */
static bool ifname_ok(const char *ifname)
{
	return ifname[0] &&
	       strspn(ifname, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(ifname);
}

/* "{ a, b }" of the allowed sources of one family; false if none. */
static bool source_set(char *buf, size_t len, const struct prefix *allowed, unsigned int n,
		       int family)
{
	size_t used = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (allowed[i].family != family)
			continue;
		used += snprintfrr(buf + used, len - used, "%s%pFX", used ? ", " : "{ ",
				   &allowed[i]);
		if (used >= len)
			return false;
	}
	if (!used)
		return false;
	snprintf(buf + used, len - used, " }");
	return true;
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
	b->len += vsnprintf(b->buf + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
}

/*
 * The table, the dispatch on the input device and the task's chain,
 * rewritten whole.  Besides its own addresses a task needs only IPv6
 * neighbour discovery and MLD from its link-local address or, during
 * duplicate address detection, from ::, to link-local or multicast
 * destinations (the kernel never routes a link-local source); ARP is not
 * seen here.  DHCP (from 0.0.0.0) is not needed: its addresses come from
 * multinicd.
 */
int mn_nft_task_guard(const char *host_ifname, const struct prefix *allowed, unsigned int n,
		      char *err, size_t len)
{
	struct nft_batch b = { .size = 8192 };
	char set4[1024], set6[2048];
	const char *dev = host_ifname;
	int ret;

	if (!ifname_ok(dev)) {
		snprintf(err, len, "nftables: %s is not a usable chain name", dev);
		return -EINVAL;
	}
	b.buf = XCALLOC(MTYPE_MN_NFT_CMD, b.size);
	batch_add(&b,
		  "table " NFT_TABLE " {\n"
		  " map tasks { type ifname : verdict; }\n"
		  " chain antispoof { type filter hook prerouting priority raw; policy accept;"
		  " iifname vmap @tasks; }\n"
		  "}\n"
		  "add counter " NFT_TABLE " spoofed_%s\n"
		  "add chain " NFT_TABLE " t_%s\n"
		  "flush chain " NFT_TABLE " t_%s\n",
		  dev, dev, dev);
	if (source_set(set4, sizeof(set4), allowed, n, AF_INET))
		batch_add(&b, "add rule " NFT_TABLE " t_%s ip saddr %s return\n", dev, set4);
	if (source_set(set6, sizeof(set6), allowed, n, AF_INET6))
		batch_add(&b, "add rule " NFT_TABLE " t_%s ip6 saddr %s return\n", dev, set6);
	batch_add(&b,
		  "add rule " NFT_TABLE " t_%s ip6 saddr { fe80::/10, ::/128 }"
		  " ip6 daddr { fe80::/10, ff00::/8 } return\n"
		  "add rule " NFT_TABLE " t_%s counter name spoofed_%s drop\n"
		  "add element " NFT_TABLE " tasks { \"%s\" : jump t_%s }\n",
		  dev, dev, dev, dev, dev);
	if (b.len < b.size) {
		ret = nft_run(b.buf, err, len);
	} else {
		snprintf(err, len, "nftables: too many addresses for %s", dev);
		ret = -ENOSPC;
	}
	XFREE(MTYPE_MN_NFT_CMD, b.buf);
	return ret;
}

/* Each step alone: whatever is already gone, the rest still goes. */
void mn_nft_task_unguard(const char *host_ifname)
{
	char cmd[256], err[256];

	if (!ifname_ok(host_ifname))
		return;
	snprintf(cmd, sizeof(cmd), "delete element " NFT_TABLE " tasks { \"%s\" }", host_ifname);
	nft_run(cmd, err, sizeof(err));
	snprintf(cmd, sizeof(cmd), "flush chain " NFT_TABLE " t_%s\ndelete chain " NFT_TABLE " t_%s",
		 host_ifname, host_ifname);
	nft_run(cmd, err, sizeof(err));
	snprintf(cmd, sizeof(cmd), "delete counter " NFT_TABLE " spoofed_%s", host_ifname);
	nft_run(cmd, err, sizeof(err));
}

/*
 * "list ..." in nft's JSON output: the parsed {"nftables": [...]} array
 * (to be put by the caller with its root), or NULL when the object does
 * not exist.
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

/* {"counter": {..., "packets": N}} among the listed objects */
static bool counter_packets(struct json_object *list, uint64_t *packets)
{
	struct json_object *counter, *val;
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(list, i), "counter",
					      &counter) &&
		    json_object_object_get_ex(counter, "packets", &val)) {
			*packets = json_object_get_int64(val);
			return true;
		}
	return false;
}

bool mn_nft_task_spoofed(const char *host_ifname, uint64_t *packets)
{
	struct json_object *root, *list;
	char what[96];
	bool ok;

	*packets = 0;
	if (!ifname_ok(host_ifname))
		return false;
	snprintf(what, sizeof(what), "counter " NFT_TABLE " spoofed_%s", host_ifname);
	list = nft_list(what, &root);
	ok = list && counter_packets(list, packets);
	json_object_put(root);
	return ok;
}

/* The device the object of KIND ("chain" t_DEV, "counter" spoofed_DEV) was made for. */
static const char *object_device(struct json_object *item, const char *kind)
{
	const char *prefix = strmatch(kind, "chain") ? "t_" : "spoofed_";
	struct json_object *obj, *name;
	const char *s;

	if (!json_object_object_get_ex(item, kind, &obj) ||
	    !json_object_object_get_ex(obj, "name", &name))
		return NULL;
	s = json_object_get_string(name);
	if (!s || strncmp(s, prefix, strlen(prefix)) != 0 || !ifname_ok(s + strlen(prefix)))
		return NULL;
	return s + strlen(prefix);
}

/* Is there a chain for DEV among the listed objects? */
static bool device_has_chain(struct json_object *list, const char *dev)
{
	const char *d;
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		d = object_device(json_object_array_get_idx(list, i), "chain");
		if (d && strmatch(d, dev))
			return true;
	}
	return false;
}

/*
 * Reconciling after a restart: a task removed while multinicd was down
 * left its chain, counter and map element.  Each device's objects go
 * unless claimed(device) says a task still owns them (a device is found
 * by its chain, or by its counter when a failed removal left only
 * that); with no device claimed the table itself goes.  Returns how many
 * devices were unguarded.
 */
unsigned int mn_nft_reconcile(bool (*claimed)(const char *host_ifname, void *arg), void *arg)
{
	struct json_object *root, *list, *item;
	unsigned int removed = 0, kept = 0;
	const char *dev;
	size_t i;

	list = nft_list("table " NFT_TABLE, &root);
	if (!list)
		return 0; /* no table: nothing was left */
	for (i = 0; i < json_object_array_length(list); i++) {
		item = json_object_array_get_idx(list, i);
		dev = object_device(item, "chain");
		if (!dev) {
			dev = object_device(item, "counter");
			if (!dev || device_has_chain(list, dev))
				continue;
		}
		if (claimed(dev, arg)) {
			kept++;
			continue;
		}
		zlog_info("nftables: removed the anti-spoofing of %s, left by an earlier multinicd",
			  dev);
		mn_nft_task_unguard(dev);
		removed++;
	}
	json_object_put(root);
	if (!kept)
		mn_nft_table_remove();
	return removed;
}

/* No task guarded any more: the table and its dispatch chain go. */
void mn_nft_table_remove(void)
{
	char err[256];

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
}
