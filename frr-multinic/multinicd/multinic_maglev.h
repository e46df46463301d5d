// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: weighted Maglev lookup table for the eBPF egress program
 * (DESIGN.md §3 "Egress selection").  Pure C: no FRR, no syscalls, no
 * allocation, unit-tested in tests/unit/test_multinic_maglev.c.
 *
 * The egress program hashes a flow's 5-tuple, takes it modulo the table
 * size and sends the flow to the NIC in that entry; multinicd fills the
 * table with mn_maglev_build() whenever a NIC is added, removed, changes
 * weight, goes down or comes back.
 *
 * Guarantees (each one is a test):
 *  - weighted: an up NIC's share of the entries is weight / (sum of the up
 *    NICs' weights).  With every NIC up it is exact to an entry or two;
 *    with some down, their entries are spread by a per-entry hash draw, so
 *    the shares carry sampling noise (standard deviation at most 0.4% of a
 *    table of MN_MAGLEV_SIZE, the tests ask for 1%);
 *  - a NIC going down moves only its own entries, spread over the up NICs
 *    in proportion to their weights; when it comes back exactly those
 *    entries return to it and nothing else moves (the table is the same
 *    as before it went down);
 *  - adding or removing a NIC (a name), or changing a weight, moves about
 *    that NIC's share of the entries (the Maglev bound, plus a little);
 *  - which NIC owns an entry depends on the NICs' names, weights and up
 *    flags only, not on their order in nics[]: a NIC keeps its entries
 *    across a restart of multinicd and a renumbering of the NIC slots.
 */
#ifndef _MULTINIC_MAGLEV_H
#define _MULTINIC_MAGLEV_H

#include <stdbool.h>
#include <stdint.h>

/*
 * MN_MAX_NICS, MN_MAGLEV_SIZE, MN_NIC_NONE: the map contract with the
 * egress program (bpf/, put into multinicd/bpf/ by the overlay; both
 * builds have that directory on the include path).  FRR-free.
 */
#include "multinic_maps.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Smallest table accepted: the first prime above MN_MAX_NICS, so that
 * every NIC can own an entry.  Shares are only as good as size allows:
 * the 1% guarantee above needs a table of thousands of entries.
 */
#define MN_MAGLEV_SIZE_MIN 17

struct mn_maglev_nic {
	/*
	 * Stable identity (the interface name): the NIC's preferences over the
	 * table derive from it, never from its index in nics[].  Non-empty,
	 * unique within nics[].
	 */
	const char *name;
	uint32_t weight; /* relative share of the entries, > 0 */
	bool up;	 /* only up NICs receive entries */
};

/*
 * Fill table[0..size-1] with indexes into nics[] (the caller maps them to
 * its NIC slots), or with MN_NIC_NONE everywhere when no NIC is up (n may
 * be 0, and nics NULL then).
 *
 * size must be a prime >= MN_MAGLEV_SIZE_MIN (normally MN_MAGLEV_SIZE);
 * n <= MN_MAX_NICS; every NIC needs a non-empty name, unique among nics[],
 * and a weight > 0.  Returns 0, or -EINVAL with table untouched.
 *
 * O(size * n) time, no allocation, deterministic on every platform (integer
 * arithmetic only): the same input gives the same table after a restart.
 */
int mn_maglev_build(const struct mn_maglev_nic *nics, unsigned int n, uint32_t *table,
		    unsigned int size);

#ifdef __cplusplus
}
#endif

#endif /* _MULTINIC_MAGLEV_H */
