// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: receive steering in hardware (see multinic_steer_hw.h).
 */
#include <zebra.h>

#include <dirent.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "lib/log.h"

#include "multinicd.h"
#include "multinic_steer_hw.h"
#include "multinic_sysfs.h"

/* One SIOCETHTOOL request on ifname; 0 or -errno. */
static int ethtool_ioctl(const char *ifname, void *cmd)
{
	struct ifreq ifr = {};
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	ifr.ifr_data = cmd;
	frr_with_privs (&multinic_privs)
		if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
			ret = -errno;
	close(fd);
	return ret;
}

/* Receive queues as sysfs lists them (drivers without ETHTOOL_GRXRINGS). */
static unsigned int sysfs_rx_queues(const char *ifname)
{
	char path[128];
	struct dirent *de;
	unsigned int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	dir = opendir(path);
	while (dir && (de = readdir(dir)))
		n += !strncmp(de->d_name, "rx-", 3);
	if (dir)
		closedir(dir);
	return n;
}

static const char *errno_name(int err)
{
	switch (-err) {
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case EPERM:
		return "EPERM";
	case ENODEV:
		return "ENODEV";
	}
	return safe_strerror(-err);
}

/* An interrupt's handler name: the directory /proc/irq/N/ has for it. */
static void irq_name(unsigned int irq, char *name, size_t len)
{
	char path[64];
	struct dirent *de;
	DIR *dir;

	name[0] = '\0';
	snprintf(path, sizeof(path), "/proc/irq/%u", irq);
	dir = opendir(path);
	while (dir && (de = readdir(dir)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.') {
			strlcpy(name, de->d_name, len);
			break;
		}
	if (dir)
		closedir(dir);
}

static int irq_cmp(const void *a, const void *b)
{
	return numcmp(*(const unsigned int *)a, *(const unsigned int *)b);
}

/* The NIC's interrupts (the lowest MN_STEER_IRQS_MAX), their CPUs and node. */
static void irqs_read(const char *ifname, const struct mn_numa_topology *topo,
		      struct mn_steer_caps *caps)
{
	char dir_path[PATH_MAX], path[64], err[64];
	unsigned int all[256];
	struct mn_steer_irq *q;
	struct mn_numa_set cpus;
	struct dirent *de;
	unsigned int n = 0, irq, i;
	DIR *dir;

	caps->n_irqs = 0;
	/* the MSI interrupts of its PCI function (a virtio NIC's too) */
	if (!mn_sysfs_nic_device_find(ifname, "msi_irqs", dir_path, sizeof(dir_path)))
		return;
	dir = opendir(dir_path);
	while (dir && n < array_size(all) && (de = readdir(dir)))
		if (sscanf(de->d_name, "%u", &irq) == 1)
			all[n++] = irq;
	if (dir)
		closedir(dir);
	qsort(all, n, sizeof(all[0]), irq_cmp);
	for (i = 0; i < n && i < MN_STEER_IRQS_MAX; i++) {
		q = &caps->irq[i];
		q->irq = all[i];
		irq_name(q->irq, q->name, sizeof(q->name));
		snprintf(path, sizeof(path), "/proc/irq/%u/smp_affinity_list", q->irq);
		q->node = MN_NUMA_NODE_NONE;
		if (!mn_sysfs_read_line(path, q->cpus, sizeof(q->cpus)))
			q->cpus[0] = '\0';
		else if (mn_numa_list_parse(q->cpus, MN_NUMA_CPUS_MAX, &cpus, err, sizeof(err)) >= 0)
			q->node = mn_numa_node_of_cpus(topo, &cpus);
	}
	caps->n_irqs = i;
}

/* The RSS indirection table's size (context 0); 0 when the NIC has none. */
static unsigned int indir_size(const char *ifname)
{
	struct ethtool_rxfh rxfh = { .cmd = ETHTOOL_GRSSH };

	return ethtool_ioctl(ifname, &rxfh) == 0 ? rxfh.indir_size : 0;
}

/* Whether the ntuple feature is on (ETH_FLAG_NTUPLE of ETHTOOL_GFLAGS). */
static bool ntuple_on(const char *ifname)
{
	struct ethtool_value flags = { .cmd = ETHTOOL_GFLAGS };

	return ethtool_ioctl(ifname, &flags) == 0 && (flags.data & ETH_FLAG_NTUPLE);
}

void mn_steer_hw_probe(const char *ifname, const struct mn_numa_topology *topo,
		       struct mn_steer_caps *caps, char *found, size_t len)
{
	struct ethtool_rxnfc rings = { .cmd = ETHTOOL_GRXRINGS };
	struct ethtool_rxnfc rules = { .cmd = ETHTOOL_GRXCLSRLCNT };
	/*
	 * Asking for a context that does not exist tells whether the NIC
	 * has contexts at all: the kernel answers EOPNOTSUPP before looking
	 * when the driver cannot create any, else the lookup fails
	 * (ENOENT, EINVAL) or finds one.
	 */
	struct ethtool_rxfh rxfh = { .cmd = ETHTOOL_GRSSH, .rss_context = 1 };
	int r_rings, r_ctx, r_rules;

	r_rings = ethtool_ioctl(ifname, &rings);
	caps->rings = r_rings == 0 ? rings.data : sysfs_rx_queues(ifname);
	caps->indir_size = indir_size(ifname);
	r_ctx = ethtool_ioctl(ifname, &rxfh);
	caps->rss_contexts = r_ctx != -EOPNOTSUPP && r_ctx != -ENODEV;
	r_rules = ethtool_ioctl(ifname, &rules);
	caps->ntuple = r_rules == 0;
	caps->ntuple_on = ntuple_on(ifname);
	irqs_read(ifname, topo, caps);
	snprintf(found, len,
		 "%u receive queue%s, RSS table %u, RSS contexts: %s%s%s, ntuple rules: %s%s%s, ntuple %s, %u interrupt%s on %u node%s",
		 caps->rings, caps->rings == 1 ? "" : "s", caps->indir_size,
		 caps->rss_contexts ? "yes" : "no (", caps->rss_contexts ? "" : errno_name(r_ctx),
		 caps->rss_contexts ? "" : ")", caps->ntuple ? "yes" : "no (",
		 caps->ntuple ? "" : errno_name(r_rules), caps->ntuple ? "" : ")",
		 caps->ntuple_on ? "on" : "off", caps->n_irqs, caps->n_irqs == 1 ? "" : "s",
		 mn_steer_irq_nodes(caps), mn_steer_irq_nodes(caps) == 1 ? "" : "s");
}
