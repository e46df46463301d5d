// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: CLI of the authorization policy (frr-multinic.yang,
 * container authorization), one line per setting in the multinic node:
 *
 *   authorization vip-range PREFIX
 *   authorization max-vips-per-host N
 *   authorization host NAME neighbor <A.B.C.D|X:X::X:X|IFNAME>
 *   authorization host NAME vip-range PREFIX
 *   authorization host NAME max-vips N
 *
 * Prefixes and numbers are taken as words and checked by the model, so
 * that a malformed one is refused with the model's reason instead of the
 * parser's "Unknown command".
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/monotime.h"
#include "lib/northbound_cli.h"
#include "lib/prefix.h"
#include "lib/vty.h"

#include "multinicd.h"
#include "multinic_names.h"
#include "multinic_authz.h"
#include "common/multinic_authz_wire.h"
#include "multinic_nb.h"
#include "multinic_vty.h"

#include "multinicd/multinic_authz_vty_clippy.c"

#define AUTHZ_STR     "Which task VIPs may be announced, and by whom\n"
#define VIP_RANGE_STR "A rack aggregate task VIPs are carved from\n"
#define HOST_STR                                                                                   \
	"A host allowed to announce VIPs\n"                                                        \
	"Host name\n"
#define AUTHZ_XPATH "./authorization"

/* Words end up inside XPath predicates: no quotes, bounded length. */
static bool cli_word_ok(struct vty *vty, const char *what, const char *word, size_t max)
{
	if (strlen(word) > max) {
		vty_out(vty, "%% %s \"%s\" is %zu characters long; at most %zu are allowed\n", what,
			word, strlen(word), max);
		return false;
	}
	if (strpbrk(word, "'\"")) {
		vty_out(vty, "%% %s with quotes is not valid: %s\n", what, word);
		return false;
	}
	return true;
}

static bool cli_host_ok(struct vty *vty, const char *host)
{
	size_t i;

	if (!cli_word_ok(vty, "Host name", host, MN_AUTHZ_HOST_NAME_MAX))
		return false;
	for (i = 0; host[i]; i++) {
		if (isalnum((unsigned char)host[i]) || (i > 0 && strchr("_.-", host[i])))
			continue;
		vty_out(vty,
			"%% Host name \"%s\": use letters, digits, '_', '.' and '-', starting with a letter or digit\n",
			host);
		return false;
	}
	return true;
}

/*
 * FRR's CLI ignores a value the model cannot even store (the commit then
 * goes on without it), so everything that ends up in an XPath or a leaf
 * is checked here, with the model's wording where the model has one.
 */
static bool cli_prefix_ok(struct vty *vty, const char *what, const char *str)
{
	struct prefix p;

	if (strchr(str, '/') && str2prefix(str, &p) && (p.family == AF_INET || p.family == AF_INET6))
		return true;
	vty_out(vty, "%% %s %s is not an IPv4 or IPv6 prefix (e.g. 10.200.0.0/16, fd00:200::/48)\n",
		what, str);
	return false;
}

static bool cli_count_ok(struct vty *vty, const char *what, const char *str)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(str, &end, 10);
	if (isdigit((unsigned char)str[0]) && !*end && !errno && n >= 1 && n <= 1000000)
		return true;
	vty_out(vty, "%% %s is 1 to 1000000 (not %s)\n", what, str);
	return false;
}

static bool cli_neighbor_ok(struct vty *vty, const char *nbr)
{
	struct in6_addr a6;
	struct in_addr a4;
	char why[128];

	if (inet_pton(AF_INET, nbr, &a4) == 1 || inet_pton(AF_INET6, nbr, &a6) == 1)
		return true;
	if (strchr(nbr, ':') || strspn(nbr, "0123456789.") == strlen(nbr)) {
		vty_out(vty, "%% neighbor %s is not a valid IPv4 or IPv6 address\n", nbr);
		return false;
	}
	if (!mn_ifname_valid(nbr, why, sizeof(why))) {
		vty_out(vty, "%% neighbor %s is neither an IP address nor an interface name: %s\n",
			nbr, why);
		return false;
	}
	return true;
}

/*
 * The model stores a prefix with its host bits cleared: say so rather than
 * store something else than what was typed.  Malformed prefixes are left
 * to the model, whose message names the type.
 */
static bool cli_range_ok(struct vty *vty, const char *str)
{
	struct prefix p, masked;

	if (!str2prefix(str, &p))
		return true;
	prefix_copy(&masked, &p);
	apply_mask(&masked);
	if (prefix_same(&p, &masked))
		return true;
	vty_out(vty, "%% vip-range %s has host bits set (did you mean %pFX?)\n", str, &masked);
	return false;
}

DEFPY_YANG(authz_range, authz_range_cmd,
	   "[no] authorization vip-range PREFIX$prefix",
	   NO_STR AUTHZ_STR VIP_RANGE_STR
	   "IPv4 or IPv6 prefix (e.g. 10.200.0.0/16, fd00:200::/48)\n")
{
	char xpath[XPATH_MAXLEN];

	if (!cli_word_ok(vty, "vip-range", prefix, 64) ||
	    !cli_prefix_ok(vty, "vip-range", prefix) || !cli_range_ok(vty, prefix))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), AUTHZ_XPATH "/vip-range[prefix='%s']", prefix);
	nb_cli_enqueue_change(vty, xpath, no ? NB_OP_DESTROY : NB_OP_CREATE, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(authz_max_vips, authz_max_vips_cmd,
	   "[no] authorization max-vips-per-host ![WORD$max]",
	   NO_STR AUTHZ_STR
	   "Limit on the VIPs one host may announce, per address family\n"
	   "Number of VIPs (1-1000000)\n")
{
	if (!no && !max) {
		vty_out(vty, "%% max-vips-per-host needs a number (1-1000000)\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (max && !cli_count_ok(vty, "max-vips-per-host", max))
		return CMD_WARNING_CONFIG_FAILED;
	nb_cli_enqueue_change(vty, AUTHZ_XPATH "/max-vips-per-host",
			      no ? NB_OP_DESTROY : NB_OP_MODIFY, max);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_authz_host, no_authz_host_cmd,
	   "no authorization host NAME$host",
	   NO_STR AUTHZ_STR HOST_STR)
{
	char xpath[XPATH_MAXLEN];

	if (!cli_host_ok(vty, host))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), AUTHZ_XPATH "/host[name='%s']", host);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* A leaf-list entry of a host: neighbor or vip-range. */
static int authz_host_leaf_list(struct vty *vty, bool no, const char *host, const char *leaf,
				const char *value)
{
	char xpath[XPATH_MAXLEN];

	if (!cli_host_ok(vty, host) || !cli_word_ok(vty, leaf, value, 64))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), AUTHZ_XPATH "/host[name='%s']/%s[.='%s']", host, leaf, value);
	nb_cli_enqueue_change(vty, xpath, no ? NB_OP_DESTROY : NB_OP_CREATE, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(authz_host_neighbor, authz_host_neighbor_cmd,
	   "[no] authorization host NAME$host neighbor WORD$nbr",
	   NO_STR AUTHZ_STR HOST_STR
	   "One of the host's BGP sessions on this rack switch\n"
	   "Neighbor address, or interface name of an unnumbered session\n")
{
	if (!cli_word_ok(vty, "neighbor", nbr, 64) || !cli_neighbor_ok(vty, nbr))
		return CMD_WARNING_CONFIG_FAILED;
	return authz_host_leaf_list(vty, no, host, "neighbor", nbr);
}

DEFPY_YANG(authz_host_range, authz_host_range_cmd,
	   "[no] authorization host NAME$host vip-range PREFIX$prefix",
	   NO_STR AUTHZ_STR HOST_STR
	   "A vip-range the host may announce VIPs from\n"
	   "The vip-range's prefix\n")
{
	if (!cli_word_ok(vty, "vip-range", prefix, 64) || !cli_prefix_ok(vty, "vip-range", prefix))
		return CMD_WARNING_CONFIG_FAILED;
	return authz_host_leaf_list(vty, no, host, "vip-range", prefix);
}

DEFPY_YANG(authz_host_max_vips, authz_host_max_vips_cmd,
	   "[no] authorization host NAME$host max-vips ![WORD$max]",
	   NO_STR AUTHZ_STR HOST_STR
	   "Override max-vips-per-host for this host\n"
	   "Number of VIPs (1-1000000)\n")
{
	char xpath[XPATH_MAXLEN];

	if (!cli_host_ok(vty, host))
		return CMD_WARNING_CONFIG_FAILED;
	if (!no && !max) {
		vty_out(vty, "%% max-vips needs a number (1-1000000)\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (max && !cli_count_ok(vty, "max-vips", max))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), AUTHZ_XPATH "/host[name='%s']/max-vips", host);
	nb_cli_enqueue_change(vty, xpath, no ? NB_OP_DESTROY : NB_OP_MODIFY, max);
	return nb_cli_apply_changes(vty, NULL);
}

/*
 * Running configuration
 */

void cli_show_authz_range(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " authorization vip-range %s\n", yang_dnode_get_string(dnode, "prefix"));
}

void cli_show_authz_max_vips_per_host(struct vty *vty, const struct lyd_node *dnode,
				      bool show_defaults)
{
	vty_out(vty, " authorization max-vips-per-host %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_authz_host_neighbor(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " authorization host %s neighbor %s\n",
		yang_dnode_get_string(dnode, "../name"), yang_dnode_get_string(dnode, NULL));
}

void cli_show_authz_host_range(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " authorization host %s vip-range %s\n",
		yang_dnode_get_string(dnode, "../name"), yang_dnode_get_string(dnode, NULL));
}

void cli_show_authz_host_max_vips(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " authorization host %s max-vips %s\n",
		yang_dnode_get_string(dnode, "../name"), yang_dnode_get_string(dnode, NULL));
}

/*
 * show multinic authorization
 */

struct show_walk {
	struct vty *vty;
	json_object *jarray;
	const char *indent;
};

static int show_range_cb(const struct lyd_node *dnode, void *arg)
{
	struct show_walk *w = arg;
	const char *prefix = yang_dnode_get_string(dnode, "prefix");

	if (w->jarray)
		json_object_array_add(w->jarray, json_object_new_string(prefix));
	else
		vty_out(w->vty, "%s%s\n", w->indent, prefix);
	return YANG_ITER_CONTINUE;
}

static int show_host_cb(const struct lyd_node *dnode, void *arg)
{
	struct show_walk *w = arg;
	const char *name = yang_dnode_get_string(dnode, "name");

	if (w->jarray)
		json_object_array_add(w->jarray, json_object_new_string(name));
	else
		vty_out(w->vty, "%s%s\n", w->indent, name);
	return YANG_ITER_CONTINUE;
}

DEFPY(show_multinic_authz, show_multinic_authz_cmd, "show multinic authorization [json]$uj",
      SHOW_STR "Multi-NIC task networking (multinicd)\n" AUTHZ_STR JSON_STR)
{
	struct show_walk w = { .vty = vty, .indent = "    " };
	const struct lyd_node *authz = NULL;
	struct mn_authz_status st;
	json_object *json = NULL, *j;

	mn_authz_status(&st);
	if (yang_dnode_exists(running_config->dnode, "/frr-multinic:multinic/authorization"))
		authz = yang_dnode_get(running_config->dnode,
				       "/frr-multinic:multinic/authorization");
	if (uj) {
		json = json_object_new_object();
		w.jarray = json_object_new_array();
		json_object_object_add(json, "vipRanges", w.jarray);
	} else {
		vty_out(vty, "VIP ranges:\n");
	}
	if (authz)
		yang_dnode_iterate(show_range_cb, &w, authz, "vip-range");
	if (authz && yang_dnode_exists(authz, "max-vips-per-host")) {
		if (json)
			json_object_int_add(json, "maxVipsPerHost",
					    yang_dnode_get_uint32(authz, "max-vips-per-host"));
		else
			vty_out(vty, "Max VIPs per host: %s per address family\n",
				yang_dnode_get_string(authz, "max-vips-per-host"));
	}
	if (json) {
		w.jarray = json_object_new_array();
		json_object_object_add(json, "hosts", w.jarray);
	} else {
		vty_out(vty, "Hosts (checked by bgpd_multinic on a rack switch):\n");
	}
	if (authz)
		yang_dnode_iterate(show_host_cb, &w, authz, "host");

	if (json) {
		j = json_object_new_object();
		json_object_int_add(j, "ipv4", st.task_vips[0]);
		json_object_int_add(j, "ipv6", st.task_vips[1]);
		json_object_object_add(json, "taskVips", j);
		j = json_object_new_object();
		json_object_int_add(j, "generation", st.generation);
		json_object_boolean_add(j, "complete", st.sent_ok);
		json_object_boolean_add(j, "configurationLoaded", st.config_read);
		if (st.generation)
			json_object_int_add(j, "secondsAgo", monotime(NULL) - st.sent_at);
		json_object_object_add(json, "sentToBgpd", j);
		vty_json(vty, json);
		return CMD_SUCCESS;
	}
	vty_out(vty, "Task VIPs on this host: %u IPv4, %u IPv6\n", st.task_vips[0], st.task_vips[1]);
	if (!st.generation)
		vty_out(vty, "Not sent to bgpd_multinic yet%s\n",
			st.config_read ? "" : " (waiting for the configuration to be loaded)");
	else
		vty_out(vty, "Sent to bgpd_multinic: generation %u, %lld s ago%s\n", st.generation,
			(long long)(monotime(NULL) - st.sent_at),
			st.sent_ok ? "" : " (incomplete: zebra refused a message)");
	return CMD_SUCCESS;
}

void multinic_authz_vty_init(void)
{
	install_element(VIEW_NODE, &show_multinic_authz_cmd);
	install_element(MULTINIC_NODE, &authz_range_cmd);
	install_element(MULTINIC_NODE, &authz_max_vips_cmd);
	install_element(MULTINIC_NODE, &no_authz_host_cmd);
	install_element(MULTINIC_NODE, &authz_host_neighbor_cmd);
	install_element(MULTINIC_NODE, &authz_host_range_cmd);
	install_element(MULTINIC_NODE, &authz_host_max_vips_cmd);
}
