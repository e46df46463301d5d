// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinic-cni: the CNI verbs.  A thin client: every decision about the
 * task (validation, authorization, wiring) is multinicd's, reached over
 * its local socket (common/multinic_cni_wire.h); the plugin gets the
 * addresses from IPAM or the runtime and formats what multinicd did as
 * the specification wants it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "multinic_cni_plugin.h"

#define CONF_MAX 1048576
/* The daemon answers ADD within MN_CNI_WIRE_TIMEOUT_MS; some slack on top. */
#define REPLY_TIMEOUT_MS (MN_CNI_WIRE_TIMEOUT_MS + 5000)

static const char *const versions[] = { "0.4.0", "1.0.0", "1.1.0" };

static bool version_supported(const char *v)
{
	size_t i;

	for (i = 0; v && i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(v, versions[i]) == 0)
			return true;
	return false;
}

static int print_json(json_object *obj)
{
	printf("%s\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return 0;
}

/* The error object of the specification, on stdout; exit status 1. */
static int print_error(const struct cni_req *req, const struct cni_err *err)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "cniVersion",
			       json_object_new_string(version_supported(req->version) ? req->version
										      : "1.1.0"));
	json_object_object_add(j, "code", json_object_new_int(err->code));
	json_object_object_add(j, "msg", json_object_new_string(err->msg));
	if (err->details[0])
		json_object_object_add(j, "details", json_object_new_string(err->details));
	print_json(j);
	return 1;
}

/*
 * multinicd
 */

static const char *socket_path(const struct cni_req *req)
{
	return json_str(req->conf, "socket") ?: MN_CNI_SOCKET_DEFAULT;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Send REQUEST (consumed), return the reply; NULL with err set. */
static json_object *daemon_call(const struct cni_req *req, json_object *request, struct cni_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = socket_path(req), *text;
	static char buf[MN_CNI_MSG_MAX];
	size_t len, off = 0, got = 0;
	long long deadline;
	json_object *reply = NULL;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		cni_err_set(err, MN_CNI_ERR_TRY_AGAIN, "multinicd is not reachable", "%s: %s", path,
			    strerror(errno));
		goto out;
	}
	text = json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	while (off < len) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		/* Refused before it read the request: its answer says why. */
		if (n < 0 && errno == EPIPE)
			break;
		if (n <= 0) {
			cni_err_set(err, MN_CNI_ERR_IO, "cannot talk to multinicd", "%s: %s", path,
				    strerror(errno));
			goto out;
		}
		off += n;
	}
	shutdown(fd, SHUT_WR);
	deadline = now_ms() + REPLY_TIMEOUT_MS;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			cni_err_set(err, MN_CNI_ERR_TRY_AGAIN, "multinicd did not answer in time",
				    "%s: no reply within %d ms", path, REPLY_TIMEOUT_MS);
			goto out;
		}
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || got + n == sizeof(buf) - 1) {
			got += n > 0 ? n : 0;
			break;
		}
		got += n;
	}
	buf[got] = '\0';
	reply = json_tokener_parse(buf);
	if (!reply || !json_object_is_type(reply, json_type_object)) {
		cni_err_set(err, MN_CNI_ERR_IO, "multinicd's reply is not JSON", "%.256s", buf);
		if (reply)
			json_object_put(reply);
		reply = NULL;
		goto out;
	}
	if (!json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		cni_err_set(err, json_object_get_int(json_object_object_get(reply, "code")),
			    json_str(reply, "msg") ?: "multinicd refused the request", "%s",
			    json_str(reply, "details") ?: "");
		json_object_put(reply);
		reply = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	json_object_put(request);
	return reply;
}

static json_object *attachment_request(const struct cni_req *req, const char *command)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "command", json_object_new_string(command));
	json_object_object_add(r, "containerId", json_object_new_string(req->container_id));
	json_object_object_add(r, "ifName", json_object_new_string(req->ifname));
	json_object_object_add(r, "network", json_object_new_string(req->network));
	return r;
}

/*
 * Addresses: from IPAM, else from the runtime ("ips" capability in
 * runtimeConfig, or args.cni.ips).  With IPAM configured the runtime's
 * addresses are the IPAM plugin's to honour (host-local and static read
 * them from the same configuration).
 */
static json_object *runtime_ips(const struct cni_req *req)
{
	json_object *o, *ips;

	if (json_object_object_get_ex(req->conf, "runtimeConfig", &o) &&
	    json_object_object_get_ex(o, "ips", &ips) && json_object_array_length(ips))
		return ips;
	if (json_object_object_get_ex(req->conf, "args", &o) &&
	    json_object_object_get_ex(o, "cni", &o) && json_object_object_get_ex(o, "ips", &ips) &&
	    json_object_array_length(ips))
		return ips;
	return NULL;
}

static bool add_vips(json_object *vips, json_object *list, const char *key, struct cni_err *err)
{
	char prefix[64];
	size_t i;

	for (i = 0; list && i < json_object_array_length(list); i++) {
		json_object *e = json_object_array_get_idx(list, i);
		const char *s = key ? json_str(e, key) : json_object_get_string(e);

		if (!s || !cni_host_prefix(s, prefix, sizeof(prefix))) {
			cni_err_set(err, MN_CNI_ERR_CONFIG, "invalid IP address", "\"%s\"",
				    s ? s : "");
			return false;
		}
		json_object_array_add(vips, json_object_new_string(prefix));
	}
	return true;
}

static bool required(const struct cni_req *req, struct cni_err *err, bool netns)
{
	const char *missing = !req->container_id     ? "CNI_CONTAINERID"
			      : !req->ifname	     ? "CNI_IFNAME"
			      : netns && !req->netns ? "CNI_NETNS"
						     : NULL;

	if (missing)
		cni_err_set(err, MN_CNI_ERR_ENV, "missing environment variable", "%s is not set",
			    missing);
	return !missing;
}

static int cmd_add(struct cni_req *req)
{
	json_object *ipam_res = NULL, *request, *reply, *vips, *result, *mtu;
	struct cni_err err = {};
	struct cni_err ignored = {};
	bool ipam = ipam_configured(req);

	if (!required(req, &err, true))
		return print_error(req, &err);
	vips = json_object_new_array();
	if (ipam) {
		if (!ipam_exec(req, "ADD", req->container_id, req->ifname, &ipam_res, &err)) {
			json_object_put(vips);
			return print_error(req, &err);
		}
		if (!add_vips(vips, json_object_object_get(ipam_res, "ips"), "address", &err))
			goto fail;
	} else if (!add_vips(vips, runtime_ips(req), NULL, &err)) {
		goto fail;
	}
	if (!json_object_array_length(vips)) {
		cni_err_set(&err, MN_CNI_ERR_CONFIG, "no address for the task",
			    "configure \"ipam\" in the network configuration, or pass \"ips\" (runtimeConfig or args)");
		goto fail;
	}
	request = attachment_request(req, "ADD");
	json_object_object_add(request, "netns", json_object_new_string(req->netns));
	json_object_object_add(request, "vips", vips);
	vips = NULL;
	if (json_object_object_get_ex(req->conf, "mtu", &mtu))
		json_object_object_add(request, "mtu",
				       json_object_new_int(json_object_get_int(mtu)));
	reply = daemon_call(req, request, &err);
	if (!reply)
		goto fail;
	result = cni_result(req, json_object_object_get(reply, "task"), ipam_res, &err);
	json_object_put(reply);
	if (!result)
		goto fail;
	if (ipam_res)
		json_object_put(ipam_res);
	return print_json(result);
fail:
	/* Nothing of a failed ADD stays: the addresses go back to IPAM. */
	if (ipam)
		ipam_exec(req, "DEL", req->container_id, req->ifname, NULL, &ignored);
	if (vips)
		json_object_put(vips);
	if (ipam_res)
		json_object_put(ipam_res);
	return print_error(req, &err);
}

/* DEL is idempotent: no task, no netns, nothing allocated are all fine. */
static int cmd_del(struct cni_req *req)
{
	struct cni_err err = {};
	json_object *reply;

	if (!required(req, &err, false))
		return print_error(req, &err);
	reply = daemon_call(req, attachment_request(req, "DEL"), &err);
	if (!reply)
		return print_error(req, &err);
	json_object_put(reply);
	if (ipam_configured(req) &&
	    !ipam_exec(req, "DEL", req->container_id, req->ifname, NULL, &err))
		return print_error(req, &err);
	return 0;
}

static bool has_string(json_object *arr, const char *s)
{
	size_t i;

	for (i = 0; arr && i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

/* The live sandbox against what the runtime was told (prevResult). */
static bool check_live(const struct cni_req *req, json_object *task, json_object *prev,
		       struct cni_err *err)
{
	json_object *ips = json_object_object_get(prev, "ips");
	json_object *vips = json_object_object_get(task, "vips");
	struct cni_link link;
	char prefix[64];
	unsigned int k;
	size_t i;
	bool fam[2] = {};

	if (strcmp(json_str(task, "status") ?: "", "wired") != 0) {
		cni_err_set(err, MN_CNI_ERR_STATE, "the task is not wired", "task %s is %s%s%s",
			    json_str(task, "name"), json_str(task, "status"),
			    json_str(task, "error") ? ": " : "", json_str(task, "error") ?: "");
		return false;
	}
	if (!cni_link_read(req->netns, req->ifname, &link, err))
		return false;
	if (!link.found || !link.up) {
		cni_err_set(err, MN_CNI_ERR_STATE, "the interface is missing or down", "%s in %s",
			    req->ifname, req->netns);
		return false;
	}
	for (i = 0; i < json_object_array_length(ips); i++) {
		const char *a = json_str(json_object_array_get_idx(ips, i), "address");
		bool present = false;

		if (!a || !cni_host_prefix(a, prefix, sizeof(prefix)))
			continue;
		fam[strchr(prefix, ':') != NULL] = true;
		if (!has_string(vips, prefix)) {
			cni_err_set(err, MN_CNI_ERR_STATE, "address not the task's",
				    "%s of the previous result is not a VIP of task %s", prefix,
				    json_str(task, "name"));
			return false;
		}
		for (k = 0; k < link.naddrs; k++)
			present = present || strcmp(link.addrs[k], prefix) == 0;
		if (!present) {
			cni_err_set(err, MN_CNI_ERR_STATE, "address missing in the sandbox",
				    "%s is not on %s", prefix, req->ifname);
			return false;
		}
	}
	for (k = 0; k < 2; k++) {
		if (fam[k] && !link.default_route[k]) {
			cni_err_set(err, MN_CNI_ERR_STATE, "default route missing in the sandbox",
				    "no IPv%c default route through %s", k ? '6' : '4', req->ifname);
			return false;
		}
	}
	return true;
}

static int cmd_check(struct cni_req *req)
{
	struct cni_err err = {};
	json_object *prev, *reply;
	bool ok;

	if (!required(req, &err, true))
		return print_error(req, &err);
	if (!json_object_object_get_ex(req->conf, "prevResult", &prev)) {
		cni_err_set(&err, MN_CNI_ERR_CONFIG, "CHECK needs prevResult", NULL);
		return print_error(req, &err);
	}
	reply = daemon_call(req, attachment_request(req, "CHECK"), &err);
	if (!reply)
		return print_error(req, &err);
	ok = check_live(req, json_object_object_get(reply, "task"), prev, &err);
	json_object_put(reply);
	if (ok && ipam_configured(req))
		ok = ipam_exec(req, "CHECK", req->container_id, req->ifname, NULL, &err);
	return ok ? 0 : print_error(req, &err);
}

/* 50: multinicd cannot serve ADD (unreachable, unconfigured, no NIC up); 51: degraded. */
static int cmd_status(struct cni_req *req)
{
	json_object *r = json_object_new_object(), *reply;
	struct cni_err err = {};
	int nics, up;

	json_object_object_add(r, "command", json_object_new_string("STATUS"));
	reply = daemon_call(req, r, &err);
	if (!reply) {
		char why[sizeof(err.msg) + sizeof(err.details) + 2];

		snprintf(why, sizeof(why), "%s: %s", err.msg, err.details);
		cni_err_set(&err, MN_CNI_ERR_UNAVAILABLE, "multinicd cannot serve ADD", "%s", why);
		return print_error(req, &err);
	}
	nics = json_object_get_int(json_object_object_get(reply, "nics"));
	up = json_object_get_int(json_object_object_get(reply, "nicsUp"));
	if (!json_object_get_boolean(json_object_object_get(reply, "configured")))
		cni_err_set(&err, MN_CNI_ERR_UNAVAILABLE, "multinicd cannot serve ADD",
			    "multinicd is not configured (no \"multinic\" block)");
	else if (up == 0)
		cni_err_set(&err, MN_CNI_ERR_UNAVAILABLE, "multinicd cannot serve ADD",
			    "no usable NIC: %d selected, none up", nics);
	else if (up < nics)
		cni_err_set(&err, MN_CNI_ERR_DEGRADED, "limited connectivity",
			    "%d of %d selected NICs are up", up, nics);
	json_object_put(reply);
	if (err.code)
		return print_error(req, &err);
	/* The delegate's readiness is ours too, where it can tell. */
	if (ipam_configured(req) && ipam_speaks_1_1(req) &&
	    !ipam_exec(req, "STATUS", NULL, NULL, NULL, &err))
		return print_error(req, &err);
	return 0;
}

/* GC: multinicd drops the network's tasks not in cni.dev/valid-attachments. */
static int cmd_gc(struct cni_req *req)
{
	json_object *valid, *request, *reply, *removed, *list = json_object_new_array();
	struct cni_err err = {};
	size_t i;

	/* The key had another name in a draft; libcni sends both. */
	if ((!json_object_object_get_ex(req->conf, "cni.dev/valid-attachments", &valid) &&
	     !json_object_object_get_ex(req->conf, "cni.dev/attachments", &valid)) ||
	    !json_object_is_type(valid, json_type_array)) {
		json_object_put(list);
		cni_err_set(&err, MN_CNI_ERR_CONFIG, "GC needs cni.dev/valid-attachments", NULL);
		return print_error(req, &err);
	}
	for (i = 0; i < json_object_array_length(valid); i++) {
		json_object *v = json_object_array_get_idx(valid, i), *a;

		if (!json_str(v, "containerID") || !json_str(v, "ifname"))
			continue;
		a = json_object_new_object();
		json_object_object_add(a, "containerId",
				       json_object_new_string(json_str(v, "containerID")));
		json_object_object_add(a, "ifName", json_object_new_string(json_str(v, "ifname")));
		json_object_array_add(list, a);
	}
	request = json_object_new_object();
	json_object_object_add(request, "command", json_object_new_string("GC"));
	json_object_object_add(request, "network", json_object_new_string(req->network));
	json_object_object_add(request, "validAttachments", list);
	reply = daemon_call(req, request, &err);
	if (!reply)
		return print_error(req, &err);
	/* Each removed task's addresses go back to IPAM. */
	removed = json_object_object_get(reply, "removed");
	for (i = 0; ipam_configured(req) && i < json_object_array_length(removed); i++) {
		json_object *r = json_object_array_get_idx(removed, i);

		if (!ipam_exec(req, "DEL", json_str(r, "containerId"), json_str(r, "ifName"), NULL,
			       &err))
			fprintf(stderr, "multinic-cni: GC: IPAM release of %s/%s: %s: %s\n",
				json_str(r, "containerId"), json_str(r, "ifName"), err.msg,
				err.details);
	}
	json_object_put(reply);
	/* An IPAM plugin that knows GC collects what it holds for nobody. */
	if (ipam_configured(req) && ipam_speaks_1_1(req) &&
	    !ipam_exec(req, "GC", NULL, NULL, NULL, &err))
		return print_error(req, &err);
	return 0;
}

static int cmd_version(struct cni_req *req)
{
	json_object *j = json_object_new_object(), *list = json_object_new_array();
	size_t i;

	json_object_object_add(j, "cniVersion",
			       json_object_new_string(version_supported(req->version) ? req->version
										      : "1.1.0"));
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		json_object_array_add(list, json_object_new_string(versions[i]));
	json_object_object_add(j, "supportedVersions", list);
	return print_json(j);
}

static json_object *read_stdin(void)
{
	static char buf[CONF_MAX];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(buf) - 1) {
		n = read(STDIN_FILENO, buf + got, sizeof(buf) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	return json_tokener_parse(buf);
}

int main(int argc, char **argv)
{
	struct cni_req req = {
		.command = getenv("CNI_COMMAND"),
		.container_id = getenv("CNI_CONTAINERID"),
		.netns = getenv("CNI_NETNS"),
		.ifname = getenv("CNI_IFNAME"),
		.path = getenv("CNI_PATH"),
		.version = "",
	};
	struct cni_err err = {};

	if (!req.command) {
		fprintf(stderr,
			"multinic-cni: a CNI plugin (spec versions 0.4.0, 1.0.0, 1.1.0) for multinicd; run by a container runtime with CNI_COMMAND set\n");
		return 1;
	}
	/* An empty variable is an unset one. */
	if (req.container_id && !*req.container_id)
		req.container_id = NULL;
	if (req.netns && !*req.netns)
		req.netns = NULL;
	if (req.ifname && !*req.ifname)
		req.ifname = NULL;
	if (req.path && !*req.path)
		req.path = NULL;
	req.conf = read_stdin();
	if (!req.conf || !json_object_is_type(req.conf, json_type_object)) {
		if (strcmp(req.command, "VERSION") == 0)
			return cmd_version(&req);
		cni_err_set(&err, MN_CNI_ERR_DECODE, "cannot decode the network configuration",
			    "stdin is not a JSON object");
		return print_error(&req, &err);
	}
	req.version = json_str(req.conf, "cniVersion") ?: "";
	req.network = json_str(req.conf, "name") ?: "";
	if (strcmp(req.command, "VERSION") == 0)
		return cmd_version(&req);
	if (!version_supported(req.version)) {
		cni_err_set(&err, MN_CNI_ERR_VERSION, "incompatible CNI version",
			    "cniVersion \"%s\"; supported: 0.4.0, 1.0.0, 1.1.0", req.version);
		return print_error(&req, &err);
	}
	if (strcmp(req.command, "ADD") == 0)
		return cmd_add(&req);
	if (strcmp(req.command, "DEL") == 0)
		return cmd_del(&req);
	if (strcmp(req.command, "CHECK") == 0)
		return cmd_check(&req);
	if (strcmp(req.command, "STATUS") == 0)
		return cmd_status(&req);
	if (strcmp(req.command, "GC") == 0)
		return cmd_gc(&req);
	cni_err_set(&err, MN_CNI_ERR_ENV, "unknown CNI_COMMAND", "\"%s\"", req.command);
	return print_error(&req, &err);
}
