// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinic-cni: the live state of an interface, read inside the sandbox's
 * network namespace (for the result's MAC and MTU, and for CHECK).
 *
 * The plugin is single-threaded and short-lived: it enters the namespace
 * with setns() and goes back to its own afterwards.  Sockets, getifaddrs()
 * and /proc/self/net follow the namespace the process is in.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setns() */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "multinic_cni_plugin.h"

static unsigned int prefix_len(const struct sockaddr *mask)
{
	const unsigned char *b;
	unsigned int i, n = 0, len;

	if (!mask)
		return 0;
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr;
		len = 4;
	} else {
		b = (const unsigned char *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
		len = 16;
	}
	for (i = 0; i < len; i++)
		n += __builtin_popcount(b[i]);
	return n;
}

static void link_addresses(const char *ifname, struct cni_link *link)
{
	struct ifaddrs *ifa, *i;
	char addr[INET6_ADDRSTRLEN];
	const void *src;

	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i && link->naddrs < CNI_MAX_ADDRS; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, ifname) != 0)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			src = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			src = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		else
			continue;
		inet_ntop(i->ifa_addr->sa_family, src, addr, sizeof(addr));
		snprintf(link->addrs[link->naddrs++], sizeof(link->addrs[0]), "%s/%u", addr,
			 prefix_len(i->ifa_netmask));
	}
	freeifaddrs(ifa);
}

/* Default routes through IFNAME in the main table (/proc/net/route, ipv6_route). */
static void link_default_routes(const char *ifname, struct cni_link *link)
{
	char line[512], dev[IFNAMSIZ + 1], dst[64], plen[8];
	FILE *f;

	f = fopen("/proc/self/net/route", "r");
	while (f && fgets(line, sizeof(line), f)) {
		/* Iface Destination Gateway Flags RefCnt Use Metric Mask ... */
		char mask[16];

		if (sscanf(line, "%16s %63s %*s %*s %*s %*s %*s %15s", dev, dst, mask) == 3 &&
		    strcmp(dev, ifname) == 0 && strcmp(dst, "00000000") == 0 &&
		    strcmp(mask, "00000000") == 0)
			link->default_route[0] = true;
	}
	if (f)
		fclose(f);
	f = fopen("/proc/self/net/ipv6_route", "r");
	while (f && fgets(line, sizeof(line), f)) {
		/* dst plen src splen nexthop metric refcnt use flags dev */
		if (sscanf(line, "%63s %7s %*s %*s %*s %*s %*s %*s %*s %16s", dst, plen, dev) == 3 &&
		    strcmp(dev, ifname) == 0 && strcmp(plen, "00") == 0 &&
		    strspn(dst, "0") == strlen(dst))
			link->default_route[1] = true;
	}
	if (f)
		fclose(f);
}

static void link_read_here(const char *ifname, struct cni_link *link)
{
	struct ifreq ifr = {};
	const unsigned char *m;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		close(fd);
		return;
	}
	link->found = true;
	link->up = ifr.ifr_flags & IFF_UP;
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		link->mtu = ifr.ifr_mtu;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == 1 /* ARPHRD_ETHER */) {
		m = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
		snprintf(link->mac, sizeof(link->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
			 m[2], m[3], m[4], m[5]);
	}
	close(fd);
	link_addresses(ifname, link);
	link_default_routes(ifname, link);
}

bool cni_link_read(const char *netns, const char *ifname, struct cni_link *link, struct cni_err *err)
{
	int self = -1, target;

	memset(link, 0, sizeof(*link));
	if (!netns) {
		link_read_here(ifname, link);
		return true;
	}
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	target = open(netns, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0) {
		cni_err_set(err, MN_CNI_ERR_UNKNOWN_CONTAINER, "cannot enter the network namespace",
			    "%s: %s", netns, strerror(errno));
		if (self >= 0)
			close(self);
		if (target >= 0)
			close(target);
		return false;
	}
	close(target);
	link_read_here(ifname, link);
	if (setns(self, CLONE_NEWNET) < 0) {
		cni_err_set(err, MN_CNI_ERR_IO, "cannot return to the host network namespace", "%s",
			    strerror(errno));
		close(self);
		return false;
	}
	close(self);
	return true;
}
