/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic: the flow hash, shared by the egress program and userspace
 * (multinicd can tell which NIC a flow takes; the tests check the
 * program's choice against it).  Plain C without helpers or libc.
 *
 * Bob Jenkins' lookup3 as the kernel's jhash2() (include/linux/jhash.h),
 * over the 11 32-bit words of struct mn_flow_key, seeded with
 * mn_config.hash_seed.  Not skb->hash: for locally originated TCP that is
 * sk_txhash, random per socket and re-rolled on RTO, so a flow would hop
 * NICs (and its packets reorder) after a timeout.
 */
#ifndef MULTINIC_HASH_H
#define MULTINIC_HASH_H

#include <linux/types.h>

#include "multinic_maps.h"

#define MN_HASH_INLINE static inline __attribute__((always_inline))

#define MN_JHASH_INITVAL 0xdeadbeefU

MN_HASH_INLINE __u32 mn_rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> (32 - shift));
}

#define mn_jhash_mix(a, b, c)                                                  \
	do {                                                                   \
		a -= c; a ^= mn_rol32(c, 4);  c += b;                          \
		b -= a; b ^= mn_rol32(a, 6);  a += c;                          \
		c -= b; c ^= mn_rol32(b, 8);  b += a;                          \
		a -= c; a ^= mn_rol32(c, 16); c += b;                          \
		b -= a; b ^= mn_rol32(a, 19); a += c;                          \
		c -= b; c ^= mn_rol32(b, 4);  b += a;                          \
	} while (0)

#define mn_jhash_final(a, b, c)                                                \
	do {                                                                   \
		c ^= b; c -= mn_rol32(b, 14);                                  \
		a ^= c; a -= mn_rol32(c, 11);                                  \
		b ^= a; b -= mn_rol32(a, 25);                                  \
		c ^= b; c -= mn_rol32(b, 16);                                  \
		a ^= c; a -= mn_rol32(c, 4);                                   \
		b ^= a; b -= mn_rol32(a, 14);                                  \
		c ^= b; c -= mn_rol32(b, 24);                                  \
	} while (0)

/*
 * jhash2() of the flow key.  The key's padding must be zero (the program
 * zeroes the whole key before filling it).  11 words: three mixing rounds
 * of three words, the last two in the final round; no loop, so the
 * verifier sees straight-line code.
 */
MN_HASH_INLINE __u32 mn_flow_hash(const struct mn_flow_key *key, __u32 seed)
{
	__u32 k[11], a, b, c;

	/* a copy, not a cast: no aliasing of the key's bytes as words */
	_Static_assert(sizeof(k) == sizeof(*key), "mn_flow_hash expects 11 words");
	__builtin_memcpy(k, key, sizeof(k));
	a = b = c = MN_JHASH_INITVAL + (11U << 2) + seed;

	a += k[0]; b += k[1]; c += k[2];
	mn_jhash_mix(a, b, c);
	a += k[3]; b += k[4]; c += k[5];
	mn_jhash_mix(a, b, c);
	a += k[6]; b += k[7]; c += k[8];
	mn_jhash_mix(a, b, c);
	b += k[10];
	a += k[9];
	mn_jhash_final(a, b, c);
	return c;
}

#endif /* MULTINIC_HASH_H */
