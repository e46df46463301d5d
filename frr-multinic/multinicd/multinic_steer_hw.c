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

void mn_steer_hw_probe(const char *ifname, struct mn_steer_caps *caps, char *found, size_t len)
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
	r_ctx = ethtool_ioctl(ifname, &rxfh);
	caps->rss_contexts = r_ctx != -EOPNOTSUPP && r_ctx != -ENODEV;
	r_rules = ethtool_ioctl(ifname, &rules);
	caps->ntuple = r_rules == 0;
	snprintf(found, len, "%u receive queue%s, RSS contexts: %s%s%s, ntuple rules: %s%s%s",
		 caps->rings, caps->rings == 1 ? "" : "s", caps->rss_contexts ? "yes" : "no (",
		 caps->rss_contexts ? "" : errno_name(r_ctx), caps->rss_contexts ? "" : ")",
		 caps->ntuple ? "yes" : "no (", caps->ntuple ? "" : errno_name(r_rules),
		 caps->ntuple ? "" : ")");
}
