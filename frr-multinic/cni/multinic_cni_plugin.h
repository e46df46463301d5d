// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinic-cni: a CNI plugin (spec 1.1; versions 0.4.0, 1.0.0, 1.1.0)
 * that asks multinicd for a task over its local socket.
 *
 * The runtime runs it with CNI_COMMAND and the other CNI_* variables in
 * the environment and the network configuration on stdin; it answers on
 * stdout (a result, or an error object and a non-zero exit status).
 */
#ifndef _MULTINIC_CNI_PLUGIN_H
#define _MULTINIC_CNI_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "common/multinic_cni_wire.h"
#include "multinic_cni_util.h"

/* What the runtime gave us. */
struct cni_req {
	const char *command;	  /* CNI_COMMAND */
	const char *container_id; /* CNI_CONTAINERID */
	const char *netns;	  /* CNI_NETNS */
	const char *ifname;	  /* CNI_IFNAME */
	const char *path;	  /* CNI_PATH */
	json_object *conf;	  /* stdin */
	const char *version;	  /* conf's cniVersion */
	const char *network;	  /* conf's name */
};

/* multinic_cni_ipam.c: the ipam plugin named in the configuration. */
/* The configuration has an "ipam" section. */
extern bool ipam_configured(const struct cni_req *req);
/*
 * Run the IPAM plugin with COMMAND for (container_id, ifname); *result
 * gets its parsed stdout (ADD), or NULL.  false with err set on failure.
 */
extern bool ipam_exec(const struct cni_req *req, const char *command, const char *container_id,
		      const char *ifname, json_object **result, struct cni_err *err);

/* The IPAM plugin knows specification 1.1.0 (STATUS, GC). */
extern bool ipam_speaks_1_1(const struct cni_req *req);

/* multinic_cni_netns.c: what is live in the sandbox. */
#define CNI_MAX_ADDRS 16
struct cni_link {
	bool found;
	bool up;
	char mac[18]; /* "" on an L3 device */
	int mtu;
	unsigned int naddrs;
	char addrs[CNI_MAX_ADDRS][64]; /* ADDRESS/PLEN */
	bool default_route[2];	       /* [0] IPv4, [1] IPv6, through this link */
};

/* Read IFNAME's state in the network namespace at NETNS (NULL: ours). */
extern bool cni_link_read(const char *netns, const char *ifname, struct cni_link *link,
			  struct cni_err *err);

/* multinic_cni_result.c */
/* The CNI result of a wired task (the daemon's "task" object). */
extern json_object *cni_result(const struct cni_req *req, json_object *task,
			       json_object *ipam_result, struct cni_err *err);
/* An address in its /32 or /128 form; false if S is not an address. */
extern bool cni_host_prefix(const char *s, char *buf, size_t len);

#endif /* _MULTINIC_CNI_PLUGIN_H */
