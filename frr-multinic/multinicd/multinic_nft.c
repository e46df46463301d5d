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

/* {"nftables": [{"metainfo": ...}, {"counter": {..., "packets": N}}]} */
static bool counter_packets(const char *out, uint64_t *packets)
{
	struct json_object *root = json_tokener_parse(out), *list, *item, *counter, *val;
	bool found = false;
	size_t i;

	if (!root)
		return false;
	if (json_object_object_get_ex(root, "nftables", &list) &&
	    json_object_is_type(list, json_type_array))
		for (i = 0; i < json_object_array_length(list) && !found; i++) {
			item = json_object_array_get_idx(list, i);
			if (json_object_object_get_ex(item, "counter", &counter) &&
			    json_object_object_get_ex(counter, "packets", &val)) {
				*packets = json_object_get_int64(val);
				found = true;
			}
		}
	json_object_put(root);
	return found;
}

bool mn_nft_task_spoofed(const char *host_ifname, uint64_t *packets)
{
	struct nft_ctx *ctx = nft_ctx();
	char cmd[128], err[256];
	bool ok;

	*packets = 0;
	if (!ctx || !ifname_ok(host_ifname))
		return false;
	snprintf(cmd, sizeof(cmd), "list counter " NFT_TABLE " spoofed_%s", host_ifname);
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	ok = nft_run(cmd, err, sizeof(err)) == 0 &&
	     counter_packets(nft_ctx_get_output_buffer(ctx), packets);
	nft_ctx_output_set_flags(ctx, 0);
	return ok;
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
