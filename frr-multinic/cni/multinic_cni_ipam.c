// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinic-cni: delegation to the IPAM plugin of the network
 * configuration ("ipam": {"type": ...}), as the CNI specification says:
 * the plugin is looked up in CNI_PATH and executed with our environment
 * (CNI_COMMAND, and the attachment's CNI_CONTAINERID and CNI_IFNAME) and
 * the same configuration on stdin.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "multinic_cni_plugin.h"

#define IPAM_OUTPUT_MAX 65536

bool ipam_configured(const struct cni_req *req)
{
	json_object *ipam;

	return json_object_object_get_ex(req->conf, "ipam", &ipam) &&
	       json_object_is_type(ipam, json_type_object) && json_str(ipam, "type");
}

/* The plugin TYPE in the colon-separated CNI_PATH. */
static bool ipam_find(const char *cni_path, const char *type, char *buf, size_t len)
{
	const char *p = cni_path, *end;

	if (strchr(type, '/'))
		return false; /* a type is a file name, never a path */
	while (p && *p) {
		end = strchr(p, ':');
		snprintf(buf, len, "%.*s/%s", (int)(end ? end - p : (int)strlen(p)), p, type);
		if (access(buf, X_OK) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static void setenv_or_unset(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

/* Run BIN with INPUT on stdin; its stdout into out (NUL-terminated). */
static int run_plugin(const char *bin, const char *input, char *out, size_t outlen, int *status)
{
	int in[2], res[2];
	size_t got = 0, off = 0, inlen = strlen(input);
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(res, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(res[1], STDOUT_FILENO);
		execl(bin, bin, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	/* Configurations are small: the pipe takes them whole. */
	signal(SIGPIPE, SIG_IGN);
	while (off < inlen) {
		ssize_t n = write(in[1], input + off, inlen - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	close(in[1]);
	for (;;) {
		ssize_t n = read(res[0], out + got, outlen - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
		if (got == outlen - 1)
			break;
	}
	out[got] = '\0';
	close(res[0]);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/*
 * One run.  A configuration may ask for a newer spec version than the
 * IPAM plugin knows (Debian 12's host-local stops at 1.0.0): *incompatible
 * tells the caller to try again with an older one.
 */
static bool ipam_run(const struct cni_req *req, const char *bin, const char *conf,
		     json_object **result, bool *incompatible, struct cni_err *err)
{
	static char out[IPAM_OUTPUT_MAX];
	json_object *parsed;
	int status;

	*incompatible = false;
	if (run_plugin(bin, conf, out, sizeof(out), &status) < 0) {
		cni_err_set(err, MN_CNI_ERR_IO, "cannot run the IPAM plugin", "%s: %s", bin,
			    strerror(errno));
		return false;
	}
	parsed = json_tokener_parse(out);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		json_object *code;

		if (parsed && json_object_object_get_ex(parsed, "code", &code)) {
			*incompatible = json_object_get_int(code) == MN_CNI_ERR_VERSION;
			cni_err_set(err, json_object_get_int(code),
				    json_str(parsed, "msg") ?: "the IPAM plugin failed", "%s%s%s",
				    bin, json_str(parsed, "details") ? ": " : "",
				    json_str(parsed, "details") ?: "");
		} else {
			cni_err_set(err, MN_CNI_ERR_IO, "the IPAM plugin failed",
				    "%s exited with status %d: %.512s", bin,
				    WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
		}
		if (parsed)
			json_object_put(parsed);
		return false;
	}
	if (result) {
		*result = parsed; /* NULL when it printed nothing (DEL) */
		return true;
	}
	if (parsed)
		json_object_put(parsed);
	return true;
}

bool ipam_exec(const struct cni_req *req, const char *command, const char *container_id,
	       const char *ifname, json_object **result, struct cni_err *err)
{
	static const char *const older[] = { "1.0.0", "0.4.0" };
	json_object *ipam, *conf;
	char bin[PATH_MAX];
	bool ok, incompatible;
	size_t i;

	if (result)
		*result = NULL;
	json_object_object_get_ex(req->conf, "ipam", &ipam);
	if (!req->path || !ipam_find(req->path, json_str(ipam, "type"), bin, sizeof(bin))) {
		cni_err_set(err, MN_CNI_ERR_CONFIG, "IPAM plugin not found",
			    "no executable \"%s\" in CNI_PATH %s", json_str(ipam, "type"),
			    req->path ? req->path : "(unset)");
		return false;
	}
	setenv("CNI_COMMAND", command, 1);
	setenv_or_unset("CNI_CONTAINERID", container_id);
	setenv_or_unset("CNI_IFNAME", ifname);
	ok = ipam_run(req, bin, json_object_to_json_string_ext(req->conf, JSON_C_TO_STRING_PLAIN),
		      result, &incompatible, err);
	for (i = 0; !ok && incompatible && i < sizeof(older) / sizeof(older[0]); i++) {
		if (strcmp(older[i], req->version) >= 0)
			continue; /* only ever older than what we were asked for */
		conf = NULL;
		json_object_deep_copy(req->conf, &conf, NULL);
		json_object_object_add(conf, "cniVersion", json_object_new_string(older[i]));
		memset(err, 0, sizeof(*err));
		ok = ipam_run(req, bin, json_object_to_json_string_ext(conf, JSON_C_TO_STRING_PLAIN),
			      result, &incompatible, err);
		json_object_put(conf);
	}
	setenv("CNI_COMMAND", req->command, 1);
	setenv_or_unset("CNI_CONTAINERID", req->container_id);
	setenv_or_unset("CNI_IFNAME", req->ifname);
	return ok;
}

/*
 * STATUS and GC exist since specification 1.1.0: an IPAM plugin that does
 * not speak it (Debian 12's host-local 1.1.1) has nothing to be asked.
 */
bool ipam_speaks_1_1(const struct cni_req *req)
{
	json_object *ipam, *conf, *versions = NULL, *out = NULL;
	char bin[PATH_MAX];
	struct cni_err ignored = {};
	bool incompatible, yes = false;
	size_t i;

	json_object_object_get_ex(req->conf, "ipam", &ipam);
	if (!req->path || !ipam_find(req->path, json_str(ipam, "type"), bin, sizeof(bin)))
		return false;
	conf = json_object_new_object();
	json_object_object_add(conf, "cniVersion", json_object_new_string("1.1.0"));
	setenv("CNI_COMMAND", "VERSION", 1);
	if (ipam_run(req, bin, json_object_to_json_string(conf), &out, &incompatible, &ignored) &&
	    out && json_object_object_get_ex(out, "supportedVersions", &versions))
		for (i = 0; i < json_object_array_length(versions); i++)
			yes = yes ||
			      strcmp(json_object_get_string(json_object_array_get_idx(versions, i)),
				     "1.1.0") == 0;
	setenv("CNI_COMMAND", req->command, 1);
	if (out)
		json_object_put(out);
	json_object_put(conf);
	return yes;
}
