// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: weighted Maglev lookup table.  See multinic_maglev.h.
 *
 * The table is built in two steps.
 *
 * (a) Base table: weighted Maglev (Eisenbud et al., NSDI 2016, with the
 *     weighting of Katran's MaglevHashV2) over ALL configured NICs, up or
 *     down.  Each NIC walks its own permutation of the entries, derived
 *     from its name, and claims the next free entry on each of its turns;
 *     a NIC gets a turn each time its credit, which grows by its weight
 *     every round, reaches the largest weight.  So the NICs claim entries
 *     in proportion to their weights, and the shares come out exact to
 *     within an entry or so.
 *
 *     The base table depends only on the set of (name, weight): never on
 *     the up flags.  That is what makes up/down strictly minimal: plain
 *     Maglev rebuilt over the up NICs only would also move a few entries
 *     between NICs that stayed up.
 *
 * (b) Replacement: an entry whose base owner is down goes to the up NIC
 *     that wins a weighted rendezvous (HRW) draw for that entry: every NIC
 *     draws u in (0, 1] from a hash of (entry, its name), scores
 *     -ln(u) / weight, and the lowest score wins.  Scores are exponential
 *     with rate = weight, so a NIC wins with probability weight / (sum of
 *     the candidates' weights): the down NIC's entries spread over the up
 *     NICs in proportion to their weights, and each up NIC ends up with
 *     weight / (sum of up weights) of the table.
 *
 *     Each entry has a fixed ranking of all NICs, and the winner among the
 *     up ones is the first up NIC in that ranking.  When another NIC goes
 *     down, an entry's winner changes only if it was that NIC; when one
 *     comes back, only the entries that rank it first among the up NICs
 *     move, and they move to it.  Hence nothing else ever moves.  (Walking
 *     the Maglev permutations instead would be just as stable, but the
 *     spread would follow permutation positions, which are not weighted.)
 *
 * Everything is integer arithmetic (the logarithm is a fixed-point one):
 * the same NICs give the same table on every machine, compiler and libm,
 * which is what lets a flow keep its NIC across a restart or an upgrade.
 * The NICs are visited in the order of their names, so the turns of (a)
 * and the tie-breaks of (b) do not depend on the order of nics[].
 */
#include <errno.h>
#include <string.h>

#include "multinic_maglev.h"

/* Seeds of the three independent hashes of a NIC name. */
#define MN_SEED_OFFSET 0x6d61676c65762d6fULL /* "maglev-o" */
#define MN_SEED_SKIP   0x6d61676c65762d73ULL /* "maglev-s" */
#define MN_SEED_RANK   0x6d61676c65762d72ULL /* "maglev-r" */

#define MN_FNV64_BASIS 0xcbf29ce484222325ULL
#define MN_FNV64_PRIME 0x100000001b3ULL
#define MN_GOLDEN64    0x9e3779b97f4a7c15ULL

/* Fractional bits of the fixed-point -log2(u) of the HRW scores. */
#define MN_LOG_FRAC_BITS 26

/* What step (a) needs per NIC while it fills the table. */
struct mn_maglev_walk {
	uint32_t pos;	 /* next entry of its permutation to try */
	uint32_t skip;	 /* step of its permutation, 1..size-1 */
	uint64_t credit; /* earned turns, in units of the largest weight */
};

/* MurmurHash3's 64-bit finalizer: every input bit affects every output bit. */
static uint64_t mn_mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/*
 * FNV-1a 64 of the seed (as 8 little-endian bytes, whatever the host's
 * byte order) then of the name, finalized by mn_mix64() because FNV alone
 * leaves its high bits poorly mixed for short names and we take it modulo
 * a prime.
 */
static uint64_t mn_name_hash(const char *name, uint64_t seed)
{
	uint64_t h = MN_FNV64_BASIS;
	const unsigned char *p;
	int i;

	for (i = 0; i < 8; i++) {
		h ^= (seed >> (8 * i)) & 0xff;
		h *= MN_FNV64_PRIME;
	}
	for (p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= MN_FNV64_PRIME;
	}
	return mn_mix64(h);
}

static bool mn_is_prime(unsigned int x)
{
	unsigned int d;

	if (x < 2)
		return false;
	if (x % 2 == 0)
		return x == 2;
	for (d = 3; d <= x / d; d += 2)
		if (x % d == 0)
			return false;
	return true;
}

/* Names are identities: present, non-empty and unique; weights positive. */
static bool mn_nics_valid(const struct mn_maglev_nic *nics, unsigned int n)
{
	unsigned int i, j;

	if (n > MN_MAX_NICS || (n > 0 && !nics))
		return false;
	for (i = 0; i < n; i++) {
		if (!nics[i].name || !nics[i].name[0] || nics[i].weight == 0)
			return false;
		for (j = 0; j < i; j++)
			if (strcmp(nics[i].name, nics[j].name) == 0)
				return false;
	}
	return true;
}

/* order[] = indexes of nics[] sorted by name (insertion sort: n <= 16). */
static void mn_sort_by_name(const struct mn_maglev_nic *nics, unsigned int n, unsigned int *order)
{
	unsigned int i, j, k;

	for (i = 0; i < n; i++) {
		k = i;
		for (j = i; j > 0 && strcmp(nics[order[j - 1]].name, nics[k].name) > 0; j--)
			order[j] = order[j - 1];
		order[j] = k;
	}
}

static void mn_table_fill(uint32_t *table, unsigned int size, uint32_t value)
{
	unsigned int e;

	for (e = 0; e < size; e++)
		table[e] = value;
}

/*
 * Maglev's permutation of a NIC: offset + j * skip (mod size), j = 0, 1, ...
 * With size prime and skip in 1..size-1 it visits every entry exactly once.
 */
static void mn_walk_init(struct mn_maglev_walk *w, const char *name, unsigned int size)
{
	w->pos = mn_name_hash(name, MN_SEED_OFFSET) % size;
	w->skip = mn_name_hash(name, MN_SEED_SKIP) % (size - 1) + 1;
	w->credit = 0;
}

/* The NIC's next preferred entry that no NIC has claimed yet. */
static unsigned int mn_walk_next_free(struct mn_maglev_walk *w, const uint32_t *table,
				      unsigned int size)
{
	unsigned int e;

	do {
		e = w->pos;
		w->pos += w->skip;
		if (w->pos >= size)
			w->pos -= size;
	} while (table[e] != MN_NIC_NONE);
	return e;
}

/*
 * Step (a): weighted Maglev over all NICs, in name order.  Every round each
 * NIC earns its weight in credit and takes a turn when it has earned the
 * largest weight, so the heaviest NIC takes a turn every round and a NIC of
 * half its weight every other round.  The loop ends once the table is full;
 * it runs at most size rounds (the heaviest NIC claims an entry each round).
 */
static void mn_build_base(const struct mn_maglev_nic *nics, unsigned int n,
			  const unsigned int *order, uint32_t *table, unsigned int size)
{
	struct mn_maglev_walk walk[MN_MAX_NICS];
	uint32_t max_weight = 0;
	unsigned int filled = 0, k, i;

	for (i = 0; i < n; i++) {
		mn_walk_init(&walk[i], nics[i].name, size);
		if (nics[i].weight > max_weight)
			max_weight = nics[i].weight;
	}
	mn_table_fill(table, size, MN_NIC_NONE);
	for (;;) {
		for (k = 0; k < n; k++) {
			i = order[k];
			walk[i].credit += nics[i].weight;
			if (walk[i].credit < max_weight)
				continue;
			walk[i].credit -= max_weight;
			table[mn_walk_next_free(&walk[i], table, size)] = i;
			if (++filled == size)
				return;
		}
	}
}

/*
 * -log2(x / 2^32) for x in 1..2^32-1, in fixed point with MN_LOG_FRAC_BITS
 * fractional bits: at most 32 << 26 = 2^31.  The integer part is the
 * position of the top bit; the fraction comes bit by bit from squaring the
 * mantissa (in [1, 2), Q31): each squaring doubles the logarithm, and when
 * the square reaches 2 the next bit is 1.
 */
static uint32_t mn_neg_log2_q(uint32_t x)
{
	unsigned int top = 31 - __builtin_clz(x);
	uint64_t m = (uint64_t)x << (31 - top);
	uint32_t frac = 0, bit;
	int i;

	/* Branch-free: the bits are random, a branch would mispredict half the time. */
	for (i = 0; i < MN_LOG_FRAC_BITS; i++) {
		m = (m * m) >> 31;
		bit = m >> 32;
		frac = (frac << 1) | bit;
		m >>= bit;
	}
	return (32U << MN_LOG_FRAC_BITS) - ((top << MN_LOG_FRAC_BITS) | frac);
}

/*
 * The draw of a NIC (its rank_key) for entry e, as -log2(u): the HRW score
 * times the weight.  -log2(u) = -ln(u) / ln(2) ranks the NICs the same.
 */
static uint32_t mn_draw(uint64_t rank_key, unsigned int e)
{
	uint64_t h = mn_mix64(rank_key ^ ((uint64_t)(e + 1) * MN_GOLDEN64));

	return mn_neg_log2_q((uint32_t)(h >> 32) | 1);
}

/*
 * Step (b) for one entry: the up NIC with the lowest draw / weight.  Both
 * sides of the comparison draw_a / w_a < draw_b / w_b are multiplied out
 * (draw < 2^32 and weight < 2^32, so the products fit in 64 bits).  An
 * exact tie goes to the first name, as order[] is sorted by name.
 */
static uint32_t mn_hrw_pick(const struct mn_maglev_nic *nics, unsigned int n,
			    const unsigned int *order, const uint64_t *rank_key, unsigned int e)
{
	uint32_t best = MN_NIC_NONE;
	uint64_t best_draw = 0, draw;
	unsigned int k, i;

	for (k = 0; k < n; k++) {
		i = order[k];
		if (!nics[i].up)
			continue;
		draw = mn_draw(rank_key[i], e);
		if (best == MN_NIC_NONE || draw * nics[best].weight < best_draw * nics[i].weight) {
			best = i;
			best_draw = draw;
		}
	}
	return best;
}

/* Step (b): hand the entries of down NICs to up ones (there is one at least). */
static void mn_replace_down(const struct mn_maglev_nic *nics, unsigned int n,
			    const unsigned int *order, uint32_t *table, unsigned int size)
{
	uint64_t rank_key[MN_MAX_NICS];
	unsigned int e, i;

	for (i = 0; i < n; i++)
		rank_key[i] = mn_name_hash(nics[i].name, MN_SEED_RANK);
	for (e = 0; e < size; e++)
		if (!nics[table[e]].up)
			table[e] = mn_hrw_pick(nics, n, order, rank_key, e);
}

int mn_maglev_build(const struct mn_maglev_nic *nics, unsigned int n, uint32_t *table,
		    unsigned int size)
{
	unsigned int order[MN_MAX_NICS];
	unsigned int i, up = 0;

	if (!table || size < MN_MAGLEV_SIZE_MIN || !mn_is_prime(size) || !mn_nics_valid(nics, n))
		return -EINVAL;

	for (i = 0; i < n; i++)
		if (nics[i].up)
			up++;
	if (up == 0) {
		mn_table_fill(table, size, MN_NIC_NONE);
		return 0;
	}

	mn_sort_by_name(nics, n, order);
	mn_build_base(nics, n, order, table, size);
	if (up < n)
		mn_replace_down(nics, n, order, table, size);
	return 0;
}
