// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinic-cni: the ADD result, in the version the configuration asked
 * for: 0.4.0 (IPs carry "version"), 1.0.0, 1.1.0 (interfaces carry "mtu").
 *
 * interfaces[0] is the host side of the task's device pair, [1] the
 * sandbox side; the task's addresses (host prefixes) are on [1], with
 * the link-local gateway multinicd answers for on a veth (169.254.1.1,
 * fe80::1); a netkit device is L3 and has no gateway.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "multinic_cni_plugin.h"

static const char *const gateway[2] = { "169.254.1.1", "fe80::1" };
static const char *const default_dst[2] = { "0.0.0.0/0", "::/0" };

bool cni_host_prefix(const char *s, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN + 8];
	unsigned char bin[16];
	char *slash;
	bool v6;

	snprintf(addr, sizeof(addr), "%s", s);
	slash = strchr(addr, '/');
	if (slash)
		*slash = '\0';
	v6 = strchr(addr, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bin) != 1)
		return false;
	snprintf(buf, len, "%s/%d", addr, v6 ? 128 : 32);
	return true;
}

static json_object *interface_json(const struct cni_req *req, const char *name, const char *mac,
				   int mtu, const char *sandbox)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "name", json_object_new_string(name));
	if (mac && *mac)
		json_object_object_add(j, "mac", json_object_new_string(mac));
	if (mtu > 0 && strcmp(req->version, "1.1.0") >= 0)
		json_object_object_add(j, "mtu", json_object_new_int(mtu));
	if (sandbox)
		json_object_object_add(j, "sandbox", json_object_new_string(sandbox));
	return j;
}

json_object *cni_result(const struct cni_req *req, json_object *task, json_object *ipam_result,
			struct cni_err *err)
{
	json_object *res, *ifaces, *ips, *routes, *vips, *dns;
	struct cni_link host, peer;
	bool l3 = strcmp(json_str(task, "device") ?: "", "netkit") == 0;
	const char *ifname = json_str(task, "ifName") ?: req->ifname;
	bool fam[2] = {};
	size_t i;

	if (!cni_link_read(NULL, json_str(task, "hostInterface") ?: "", &host, err) ||
	    !cni_link_read(req->netns, ifname, &peer, err))
		return NULL;
	res = json_object_new_object();
	json_object_object_add(res, "cniVersion", json_object_new_string(req->version));
	ifaces = json_object_new_array();
	json_object_array_add(ifaces, interface_json(req, json_str(task, "hostInterface") ?: "",
						     host.mac, host.mtu, NULL));
	json_object_array_add(ifaces, interface_json(req, ifname, peer.mac, peer.mtu, req->netns));
	json_object_object_add(res, "interfaces", ifaces);

	ips = json_object_new_array();
	if (json_object_object_get_ex(task, "vips", &vips)) {
		for (i = 0; i < json_object_array_length(vips); i++) {
			const char *a = json_object_get_string(json_object_array_get_idx(vips, i));
			int v6 = strchr(a, ':') != NULL;
			json_object *ip = json_object_new_object();

			fam[v6] = true;
			if (strcmp(req->version, "1.0.0") < 0)
				json_object_object_add(ip, "version",
						       json_object_new_string(v6 ? "6" : "4"));
			json_object_object_add(ip, "interface", json_object_new_int(1));
			json_object_object_add(ip, "address", json_object_new_string(a));
			if (!l3)
				json_object_object_add(ip, "gateway",
						       json_object_new_string(gateway[v6]));
			json_object_array_add(ips, ip);
		}
	}
	json_object_object_add(res, "ips", ips);

	routes = json_object_new_array();
	for (i = 0; i < 2; i++) {
		json_object *r;

		if (!fam[i])
			continue;
		r = json_object_new_object();
		json_object_object_add(r, "dst", json_object_new_string(default_dst[i]));
		if (!l3)
			json_object_object_add(r, "gw", json_object_new_string(gateway[i]));
		json_object_array_add(routes, r);
	}
	json_object_object_add(res, "routes", routes);

	/* DNS is the IPAM plugin's business; pass on what it said. */
	if (ipam_result && json_object_object_get_ex(ipam_result, "dns", &dns))
		json_object_object_add(res, "dns", json_object_get(dns));
	else
		json_object_object_add(res, "dns", json_object_new_object());
	return res;
}
