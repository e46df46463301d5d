// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The local interface between multinic-cni (the CNI plugin) and
 * multinicd: a unix stream socket in FRR's run state directory.
 *
 * One request per connection: the plugin writes one JSON object and shuts
 * down its sending side; multinicd answers with one JSON object and
 * closes.  Only peers with uid 0 are served (SO_PEERCRED), and the socket
 * is mode 0600.
 *
 * Requests ("command" and the fields it uses):
 *   ADD    containerId, ifName, netns, network, vips [PREFIX...], mtu (0:
 *          the NICs' smallest).  Answered once the task is wired or has
 *          failed (at most MN_CNI_WIRE_TIMEOUT_MS).
 *   DEL    containerId, ifName, network.  Succeeds when there is no task.
 *   CHECK  containerId, ifName, network.
 *   STATUS (nothing).
 *   GC     network, validAttachments [{containerId, ifName}...].
 * Replies: {"ok": true, ...} with "task" (ADD, CHECK: name, status, netns,
 * ifName, hostInterface, device, mtu, vips, error), "removed" (GC:
 * [{containerId, ifName}...]) or the NIC counts (STATUS: configured,
 * nics, nicsUp); or {"ok": false, "code": CNI error code, "msg",
 * "details"}.
 */
#ifndef _MULTINIC_CNI_WIRE_H
#define _MULTINIC_CNI_WIRE_H

#define MN_CNI_SOCKET_NAME    "multinic-cni.sock"
#define MN_CNI_SOCKET_DEFAULT "/var/run/frr/" MN_CNI_SOCKET_NAME
/* Largest request or reply. */
#define MN_CNI_MSG_MAX 65536
/* How long ADD waits for the task to be wired. */
#define MN_CNI_WIRE_TIMEOUT_MS 10000

/* Error codes of the CNI specification, and ours (100 and up). */
enum mn_cni_code {
	MN_CNI_ERR_VERSION = 1,	    /* incompatible CNI version */
	MN_CNI_ERR_UNSUPPORTED = 2, /* unsupported field in the configuration */
	MN_CNI_ERR_UNKNOWN_CONTAINER = 3,
	MN_CNI_ERR_ENV = 4, /* invalid necessary environment variables */
	MN_CNI_ERR_IO = 5,
	MN_CNI_ERR_DECODE = 6,
	MN_CNI_ERR_CONFIG = 7, /* invalid network configuration */
	MN_CNI_ERR_TRY_AGAIN = 11,
	MN_CNI_ERR_UNAVAILABLE = 50,   /* STATUS: cannot serve ADD */
	MN_CNI_ERR_DEGRADED = 51,      /* STATUS: limited connectivity */
	MN_CNI_ERR_REFUSED = 100,      /* multinicd's validation refused the task */
	MN_CNI_ERR_WIRE_FAILED = 101,  /* the task could not be wired */
	MN_CNI_ERR_WIRE_TIMEOUT = 102, /* not wired in MN_CNI_WIRE_TIMEOUT_MS */
	MN_CNI_ERR_STATE = 103,	       /* CHECK: live state differs */
};

#endif /* _MULTINIC_CNI_WIRE_H */
