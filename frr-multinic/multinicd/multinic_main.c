// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: entry point.
 */
#include <zebra.h>

#include <lib/version.h>
#include <libgen.h>
#include <sys/auxv.h>

#include "lib/command.h"
#include "lib/if.h"
#include "lib/libfrr.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/privs.h"
#include "lib/sigevent.h"
#include "lib/vrf.h"

#include "multinicd.h"
#include "multinic_authz.h"
#include "multinic_ingress.h"
#include "multinic_caps.h"
#include "multinic_cni.h"
#include "multinic_datapath.h"
#include "multinic_debug.h"
#include "multinic_errors.h"
#include "multinic_nb.h"
#include "multinic_netns_watch.h"
#include "multinic_nic.h"
#include "multinic_numa.h"
#include "multinic_task.h"
#include "multinic_vty.h"
#include "multinic_zebra.h"

DEFINE_MGROUP(MULTINICD, "multinicd");

struct event_loop *master;

/*
 * NET_ADMIN: links, addresses, routes, qdiscs and netns moves;
 * SYS_ADMIN: BPF programs and maps (no CAP_BPF in FRR's privs) and setns;
 * NET_RAW: ethtool queries;
 * DAC_OVERRIDE: open namespace files, which "ip netns" and container
 * runtimes create with mode 0;
 * SYS_PTRACE: look at and open /proc/PID/ns/net of a process that is not
 * frr's (a container's, run as root or another user): the kernel allows
 * it only to the process's owner or with this capability, and without it
 * such a task's netns is refused with "Permission denied" (and PID 1's,
 * the host's, could not be recognized as such); it also lets multinicd find
 * a task's processes and from their cgroups its NUMA node (multinic_numa.c).
 */
static zebra_capabilities_t _caps_p[] = {
	ZCAP_NET_ADMIN,
	ZCAP_SYS_ADMIN,
	ZCAP_NET_RAW,
	ZCAP_DAC_OVERRIDE,
	ZCAP_PTRACE,
};

struct zebra_privs_t multinic_privs = {
#if defined(FRR_USER) && defined(FRR_GROUP)
	.user = FRR_USER,
	.group = FRR_GROUP,
#endif
#if defined(VTY_GROUP)
	.vty_group = VTY_GROUP,
#endif
	.caps_p = _caps_p,
	.cap_num_p = array_size(_caps_p),
	.cap_num_i = 0,
};

static struct option longopts[] = { { 0 } };

static void sighup(void)
{
	zlog_info("SIGHUP received, ignored (use vtysh or frr-reload.py)");
}

static void __attribute__((noreturn)) sigint(void)
{
	zlog_notice("Terminating on signal");
	/*
	 * Stopping is not deconfiguring: every task stays wired and
	 * forwarding (device pairs, rules and pinned programs stay; zebra
	 * keeps multinicd's routes, graceful restart), and the next
	 * multinicd adopts it all.  Only memory is released here.
	 */
	multinic_netns_watch_terminate();
	/* before the tasks are forgotten: bgpd_multinic keeps what it has */
	mn_ingress_terminate();
	mn_cni_terminate();
	mn_task_terminate();
	mn_numa_terminate();
	mn_datapath_terminate();
	mn_authz_terminate();
	multinic_zebra_terminate();
	mn_nic_terminate();
	vrf_terminate();
	frr_fini();
	exit(0);
}

static void sigusr1(void)
{
	zlog_rotate();
}

static struct frr_signal_t multinic_signals[] = {
	{ .signal = SIGHUP, .handler = &sighup },
	{ .signal = SIGUSR1, .handler = &sigusr1 },
	{ .signal = SIGINT, .handler = &sigint },
	{ .signal = SIGTERM, .handler = &sigint },
};

static void multinic_config_start(void)
{
	mn_tasks_config_start();
	mn_cni_config_start();
}

static void multinic_config_end(void)
{
	mn_cni_config_end(); /* restored CNI tasks are wired with the loaded ones */
	mn_tasks_config_end();
	mn_authz_config_end();
}

static const struct frr_yang_module_info *const multinic_yang_modules[] = {
	&frr_interface_info,
	&frr_vrf_info,
	&frr_multinic_info,
};

/* clang-format off */
FRR_DAEMON_INFO(multinicd, MULTINIC,
	.vty_port = MULTINIC_VTY_PORT,
	.proghelp = "Spreads container (task) traffic over all of a host's NICs.",

	.signals = multinic_signals,
	.n_signals = array_size(multinic_signals),

	.privs = &multinic_privs,

	.yang_modules = multinic_yang_modules,
	.n_yang_modules = array_size(multinic_yang_modules),
);
/* clang-format on */

/*
 * glibc's per-thread cache (tcache) keeps up to seven freed chunks of
 * each small size for the thread that freed them.  Those chunks count as
 * in use: malloc_trim() cannot give back the pages they sit on, and
 * after each burst of tasks added and removed another set of them, at
 * other addresses, pins other pages.  Measured on the bench (10 cycles
 * of 1024 tasks, RSS once the tasks were deleted and the heap trimmed):
 * +300 kB, growing for ~5 cycles before levelling off, with the cache;
 * flat (within 16 kB) without, and wiring no slower.  multinicd is not
 * an allocation-bound daemon; a host daemon that runs for months should
 * return to its size when its tasks go.
 *
 * glibc reads its tunables when a process starts, so multinicd sets
 * glibc.malloc.tcache_count=0 and executes itself once more, unless the
 * operator set that tunable, or something other than multinicd itself
 * is running (valgrind's /proc/self/exe is valgrind), or the process is
 * AT_SECURE (glibc would drop the tunable).
 */
#define MALLOC_TUNED_ENV "MULTINICD_MALLOC_TUNED"

static void malloc_cache_off(char **argv)
{
	const char *tunables = getenv("GLIBC_TUNABLES");
	char self[PATH_MAX], *want;
	ssize_t n;

	if (getenv(MALLOC_TUNED_ENV) || getauxval(AT_SECURE) ||
	    (tunables && strstr(tunables, "glibc.malloc.tcache_count")))
		return;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	if (strcmp(basename(self), "multinicd"))
		return;
	if (asprintf(&want, "%s%sglibc.malloc.tcache_count=0", tunables ? tunables : "",
		     tunables ? ":" : "") < 0)
		return;
	setenv("GLIBC_TUNABLES", want, 1);
	setenv(MALLOC_TUNED_ENV, "1", 1);
	free(want);
	execv(self, argv);
	/* not executed again: run as we are, with the cache */
}

int main(int argc, char **argv, char **envp)
{
	malloc_cache_off(argv);
	frr_preinit(&multinicd_di, argc, argv);
	frr_opt_add("", longopts, "");

	while (1) {
		int opt = frr_getopt(argc, argv, NULL);

		if (opt == EOF)
			break;
		switch (opt) {
		case 0:
			break;
		default:
			frr_help_exit(1);
		}
	}

	master = frr_init();

	multinic_error_init();
	multinic_debug_init();
	vrf_init(NULL, NULL, NULL, NULL);
	mn_numa_init();
	mn_datapath_init();
	mn_nic_init();
	mn_task_init();
	/* vtysh -b and vtysh -f mark a configuration load */
	cmd_init_config_callbacks(multinic_config_start, multinic_config_end);
	multinic_caps_probe();
	multinic_zebra_init();
	multinic_netns_watch_init();
	multinic_vty_init();
	multinic_authz_vty_init();
	multinic_placement_vty_init();
	mn_authz_init();
	mn_ingress_init();
	mn_cni_init();

	frr_config_fork();
	frr_run(master);

	/* Not reached. */
	return 0;
}
