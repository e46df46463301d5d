// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: which addresses a task may take (see multinic_addr_policy.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "multinic_addr_policy.h"

struct v4_block {
	uint32_t net, mask;
	const char *what;
};

/* In the order they are tested: the first that holds gives the reason. */
static const struct v4_block v4_refused[] = {
	{ 0xffffffff, 0xffffffff, "the limited broadcast address (255.255.255.255)" },
	{ 0x00000000, 0xff000000, "an address of \"this network\" (0.0.0.0/8)" },
	{ 0x7f000000, 0xff000000, "a loopback address (127.0.0.0/8)" },
	{ 0xa9fe0000, 0xffff0000,
	  "a link-local address (169.254.0.0/16: the task gateway 169.254.1.1 and cloud metadata 169.254.169.254 live there)" },
	{ 0xe0000000, 0xf0000000, "a multicast address (224.0.0.0/4)" },
	{ 0xf0000000, 0xf0000000, "a reserved address (240.0.0.0/4)" },
};

static const char *v4_refusal(const struct in_addr *a)
{
	uint32_t h = ntohl(a->s_addr);
	size_t i;

	for (i = 0; i < sizeof(v4_refused) / sizeof(v4_refused[0]); i++)
		if ((h & v4_refused[i].mask) == v4_refused[i].net)
			return v4_refused[i].what;
	return NULL;
}

static const char *v6_refusal(const struct in6_addr *a)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT, loopback = IN6ADDR_LOOPBACK_INIT;

	if (!memcmp(a, &any, sizeof(*a)))
		return "the unspecified address (::)";
	if (!memcmp(a, &loopback, sizeof(*a)))
		return "the loopback address (::1)";
	if (a->s6_addr[0] == 0xff)
		return "a multicast address (ff00::/8)";
	if (a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80)
		return "a link-local address (fe80::/10: the task gateway fe80::1 lives there)";
	/* an IPv4-mapped address is the IPv4 address: judged as one */
	if (!memcmp(a->s6_addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		struct in_addr v4;

		memcpy(&v4, a->s6_addr + 12, 4);
		if (v4_refusal(&v4))
			return "an IPv4-mapped address of a refused IPv4 address";
	}
	return NULL;
}

const char *mn_task_addr_refusal(int family, const void *addr)
{
	if (!addr)
		return "no address";
	if (family == AF_INET)
		return v4_refusal(addr);
	if (family == AF_INET6)
		return v6_refusal(addr);
	return "not an IPv4 or IPv6 address";
}

const char *mn_vip_range_refusal(int family, unsigned int prefixlen)
{
	if ((family == AF_INET || family == AF_INET6) && prefixlen == 0)
		return "a range of length 0 would authorize every address";
	return NULL;
}
