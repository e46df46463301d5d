// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for frr-multinic/multinicd/multinic_maglev.c (cmocka).
 *
 * Run with "make check" at the top of the tree; the output of this program
 * (cmocka's summary, and the measured share errors, disruption and build
 * times) is in tests/unit/test_multinic_maglev.log.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "multinic_maglev.h"

#define UNUSED	      __attribute__((unused))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SIZE	      MN_MAGLEV_SIZE
#define NAME_LEN      24
/* Bounds asserted (fractions of the table unless said otherwise). */
#define SHARE_TOLERANCE	 0.01
#define SPREAD_TOLERANCE 0.03
#define ADD_EXCESS	 0.02
#define BUILD_MAX_MS	 50.0

struct weight_set {
	unsigned int n;
	uint32_t w[MN_MAX_NICS];
};

/* 2..8 NICs with mixed weights, and a full house of 16. */
static const struct weight_set sets[] = {
	{ 2, { 1, 1 } },
	{ 2, { 1, 2 } },
	{ 2, { 1, 10 } },
	{ 3, { 1, 2, 3 } },
	{ 3, { 100, 100, 100 } },
	{ 4, { 100, 200, 400, 400 } },
	{ 4, { 1, 1000, 1000, 1000 } },
	{ 5, { 10, 10, 10, 10, 1 } },
	{ 6, { 25, 25, 50, 100, 100, 400 } },
	{ 7, { 1, 2, 3, 4, 5, 6, 7 } },
	{ 8, { 10, 10, 10, 10, 10, 10, 10, 1 } },
	{ 8, { 40, 100, 100, 100, 200, 400, 400, 25 } },
	{ 8, { 100, 100, 100, 100, 100, 100, 100, 100 } },
	{ 16, { 100, 100, 100, 100, 200, 200, 200, 200, 400, 400, 400, 400, 25, 25, 50, 50 } },
};

/* Interface-like name patterns, so that no result hangs on one of them. */
static const char *const name_formats[] = { "eth%u", "enp%us0f0np0", "ens%uf1" };

static char names[MN_MAX_NICS + 1][NAME_LEN];
static uint32_t table_a[SIZE], table_b[SIZE], table_c[SIZE];

/* What the tests measured, printed by the tests that measure it. */
static double worst_share_error, worst_spread_error, worst_spread_error_moved;
static double worst_add_excess;

/* nics[] for a weight set, all up, named with name_formats[fmt]. */
static void make_nics(struct mn_maglev_nic *nics, const struct weight_set *set, unsigned int fmt)
{
	unsigned int i;

	for (i = 0; i < set->n; i++) {
		snprintf(names[i], NAME_LEN, name_formats[fmt], i);
		nics[i].name = names[i];
		nics[i].weight = set->w[i];
		nics[i].up = true;
	}
}

static void build(const struct mn_maglev_nic *nics, unsigned int n, uint32_t *table)
{
	assert_int_equal(mn_maglev_build(nics, n, table, SIZE), 0);
}

/* Entries per index of nics[]; every entry must be the index of an up NIC. */
static void count_entries(const struct mn_maglev_nic *nics, unsigned int n, const uint32_t *table,
			  unsigned int *counts)
{
	unsigned int e;

	memset(counts, 0, sizeof(*counts) * n);
	for (e = 0; e < SIZE; e++) {
		assert_true(table[e] < n);
		assert_true(nics[table[e]].up);
		counts[table[e]]++;
	}
}

static uint64_t up_weight(const struct mn_maglev_nic *nics, unsigned int n)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (nics[i].up)
			sum += nics[i].weight;
	return sum;
}

static double abs_diff(double a, double b)
{
	return a > b ? a - b : b - a;
}

/* Each up NIC owns weight / (sum of up weights) of the table, within 1%. */
static void assert_shares(const struct mn_maglev_nic *nics, unsigned int n, const uint32_t *table)
{
	unsigned int counts[MN_MAX_NICS + 1];
	uint64_t sum = up_weight(nics, n);
	double want, got, err;
	unsigned int i;

	count_entries(nics, n, table, counts);
	for (i = 0; i < n; i++) {
		if (!nics[i].up)
			continue;
		want = (double)nics[i].weight / sum;
		got = (double)counts[i] / SIZE;
		err = abs_diff(got, want);
		if (err > worst_share_error)
			worst_share_error = err;
		if (err > SHARE_TOLERANCE)
			fail_msg("%s (weight %u of %llu up) owns %.4f of the table, wants %.4f",
				 nics[i].name, nics[i].weight, (unsigned long long)sum, got, want);
	}
}

/*
 * Weighted shares
 */

static void shares_all_up(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS];
	unsigned int s, f;

	for (s = 0; s < ARRAY_SIZE(sets); s++) {
		for (f = 0; f < ARRAY_SIZE(name_formats); f++) {
			make_nics(nics, &sets[s], f);
			build(nics, sets[s].n, table_a);
			assert_shares(nics, sets[s].n, table_a);
		}
	}
	print_message("worst share error, all up: %.4f%% of the table\n", 100.0 * worst_share_error);
}

/* With one or two NICs down, shares follow the weights of the up ones. */
static void shares_some_down(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS];
	unsigned int s, f, j, n;

	worst_share_error = 0;
	for (s = 0; s < ARRAY_SIZE(sets); s++) {
		n = sets[s].n;
		for (f = 0; f < ARRAY_SIZE(name_formats); f++) {
			make_nics(nics, &sets[s], f);
			for (j = 0; j < n; j++) {
				nics[j].up = false;
				build(nics, n, table_a);
				assert_shares(nics, n, table_a);
				if (n >= 3) {
					nics[(j + 1) % n].up = false;
					build(nics, n, table_a);
					assert_shares(nics, n, table_a);
					nics[(j + 1) % n].up = true;
				}
				nics[j].up = true;
			}
		}
	}
	print_message("worst share error, one or two down: %.4f%% of the table\n",
		      100.0 * worst_share_error);
}

/* Same shares with other prime sizes; a tiny table is still valid. */
static void shares_other_sizes(void **state UNUSED)
{
	static uint32_t big[65537];
	static const unsigned int sizes[] = { 17, 257, 1021, 65537 };
	struct mn_maglev_nic nics[MN_MAX_NICS];
	const struct weight_set *set = &sets[11];
	unsigned int counts[MN_MAX_NICS];
	unsigned int z, e, i;
	double want, got;

	make_nics(nics, set, 0);
	for (z = 0; z < ARRAY_SIZE(sizes); z++) {
		assert_int_equal(mn_maglev_build(nics, set->n, big, sizes[z]), 0);
		memset(counts, 0, sizeof(counts));
		for (e = 0; e < sizes[z]; e++) {
			assert_true(big[e] < set->n);
			counts[big[e]]++;
		}
		if (sizes[z] < 1000)
			continue;
		for (i = 0; i < set->n; i++) {
			want = (double)set->w[i] / up_weight(nics, set->n);
			got = (double)counts[i] / sizes[z];
			assert_true(abs_diff(got, want) <= SHARE_TOLERANCE);
		}
	}
}

/*
 * Minimal disruption on NIC down and return
 */

/*
 * NIC j goes down: entries of the others do not move, and j's entries
 * spread over the up NICs in proportion to their weights.
 */
static void assert_down_disruption(const struct mn_maglev_nic *nics, unsigned int n,
				   const uint32_t *before, const uint32_t *after, unsigned int j)
{
	unsigned int got[MN_MAX_NICS] = { 0 };
	unsigned int moved = 0, e, i;
	uint64_t sum = up_weight(nics, n);
	double want, err;

	for (e = 0; e < SIZE; e++) {
		if (before[e] != j) {
			if (after[e] != before[e])
				fail_msg("entry %u moved from %s to %s when %s went down", e,
					 nics[before[e]].name, nics[after[e]].name, nics[j].name);
			continue;
		}
		assert_int_not_equal(after[e], j);
		got[after[e]]++;
		moved++;
	}
	for (i = 0; i < n; i++) {
		if (!nics[i].up)
			continue;
		want = (double)moved * nics[i].weight / sum;
		err = abs_diff(got[i], want);
		if (err / SIZE > worst_spread_error)
			worst_spread_error = err / SIZE;
		if (moved >= 1000 && err / moved > worst_spread_error_moved)
			worst_spread_error_moved = err / moved;
		if (err > SPREAD_TOLERANCE * SIZE)
			fail_msg("%s took %u of the %u entries of %s, wants %.0f", nics[i].name,
				 got[i], moved, nics[j].name, want);
	}
}

/* A NIC returns: only entries move, and only to it. */
static void assert_return_disruption(const struct mn_maglev_nic *nics, const uint32_t *before,
				     const uint32_t *after, unsigned int j)
{
	unsigned int e;

	for (e = 0; e < SIZE; e++)
		if (after[e] != before[e] && after[e] != j)
			fail_msg("entry %u moved from %s to %s when %s came back", e,
				 nics[before[e]].name, nics[after[e]].name, nics[j].name);
}

/* Every NIC of every set in turn goes down and comes back. */
static void nic_down_and_return(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS];
	unsigned int s, f, j, n;

	for (s = 0; s < ARRAY_SIZE(sets); s++) {
		n = sets[s].n;
		for (f = 0; f < ARRAY_SIZE(name_formats); f++) {
			make_nics(nics, &sets[s], f);
			build(nics, n, table_a);
			for (j = 0; j < n; j++) {
				nics[j].up = false;
				build(nics, n, table_b);
				assert_down_disruption(nics, n, table_a, table_b, j);

				nics[j].up = true;
				build(nics, n, table_c);
				assert_return_disruption(nics, table_b, table_c, j);
				/* Back to exactly the table it left. */
				assert_memory_equal(table_c, table_a, sizeof(table_a));
			}
		}
	}
	print_message("worst replacement spread error on NIC down: %.4f%% of the table, "
		      "%.2f%% of the entries that moved\n",
		      100.0 * worst_spread_error, 100.0 * worst_spread_error_moved);
}

/*
 * With NIC j already down, NIC k goes down too: the replacements of j's
 * entries must stay put like everything else.  Then either comes back:
 * only entries to it move, and k's return restores the table exactly.
 */
static void second_nic_down_and_return(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS];
	unsigned int s, j, k, n;

	for (s = 0; s < ARRAY_SIZE(sets); s++) {
		n = sets[s].n;
		if (n < 3)
			continue;
		make_nics(nics, &sets[s], 1);
		for (j = 0; j < n; j++) {
			for (k = 0; k < n; k++) {
				if (k == j)
					continue;
				nics[j].up = false;
				build(nics, n, table_a);

				nics[k].up = false;
				build(nics, n, table_b);
				assert_down_disruption(nics, n, table_a, table_b, k);

				nics[j].up = true;
				build(nics, n, table_c);
				assert_return_disruption(nics, table_b, table_c, j);

				nics[j].up = false;
				nics[k].up = true;
				build(nics, n, table_c);
				assert_return_disruption(nics, table_b, table_c, k);
				assert_memory_equal(table_c, table_a, sizeof(table_a));
				nics[j].up = true;
			}
		}
	}
}

/*
 * Adding a NIC (a new name) moves about its share of the entries: at most
 * its share plus 2% of the table change owner.
 */
static void add_nic(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS + 1];
	static const uint32_t new_weights[] = { 1, 100, 400 };
	unsigned int counts[MN_MAX_NICS + 1];
	unsigned int s, f, w, e, n, changed;
	double share, excess;

	for (s = 0; s < ARRAY_SIZE(sets); s++) {
		n = sets[s].n;
		if (n == MN_MAX_NICS)
			continue;
		for (f = 0; f < ARRAY_SIZE(name_formats); f++) {
			make_nics(nics, &sets[s], f);
			build(nics, n, table_a);
			for (w = 0; w < ARRAY_SIZE(new_weights); w++) {
				snprintf(names[n], NAME_LEN, name_formats[f], 40 + w);
				nics[n] = (struct mn_maglev_nic){ names[n], new_weights[w], true };
				build(nics, n + 1, table_b);
				count_entries(nics, n + 1, table_b, counts);

				changed = 0;
				for (e = 0; e < SIZE; e++)
					if (table_b[e] != table_a[e])
						changed++;
				share = (double)new_weights[w] / up_weight(nics, n + 1);
				excess = (double)changed / SIZE - share;
				if (excess > worst_add_excess)
					worst_add_excess = excess;
				if (excess > ADD_EXCESS)
					fail_msg("adding %s (share %.4f) changed the owner of %u entries",
						 names[n], share, changed);
				/* The new NIC took its share, and took it from the others. */
				assert_true(abs_diff((double)counts[n] / SIZE, share) <=
					    SHARE_TOLERANCE);
			}
		}
	}
	print_message("worst extra disruption when adding a NIC: %.4f%% of the table\n",
		      100.0 * worst_add_excess);
}

/*
 * Determinism and order independence
 */

static void permute(struct mn_maglev_nic *out, const struct mn_maglev_nic *in, unsigned int n,
		    unsigned int *perm, uint32_t seed)
{
	unsigned int i, j, t;

	for (i = 0; i < n; i++)
		perm[i] = i;
	/* Fisher-Yates with a fixed LCG: reproducible shuffles. */
	for (i = n - 1; i > 0; i--) {
		seed = seed * 1664525U + 1013904223U;
		j = (seed >> 8) % (i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < n; i++)
		out[i] = in[perm[i]];
}

/* Which NIC (by name) owns each entry does not depend on the order of nics[]. */
static void order_independent(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS], shuffled[MN_MAX_NICS];
	unsigned int perm[MN_MAX_NICS];
	unsigned int s, r, e, n;

	for (s = 0; s < ARRAY_SIZE(sets); s++) {
		n = sets[s].n;
		make_nics(nics, &sets[s], 0);
		/* Some down NICs, so that the replacements are compared too. */
		nics[0].up = false;
		if (n >= 4)
			nics[n - 2].up = false;
		build(nics, n, table_a);
		for (r = 0; r < 8; r++) {
			permute(shuffled, nics, n, perm, 7 * r + s);
			build(shuffled, n, table_b);
			for (e = 0; e < SIZE; e++)
				if (strcmp(shuffled[table_b[e]].name, nics[table_a[e]].name) != 0)
					fail_msg("entry %u: %s in one order, %s in another", e,
						 nics[table_a[e]].name, shuffled[table_b[e]].name);
			/* In index terms: exactly the caller's permutation. */
			for (e = 0; e < SIZE; e++)
				assert_int_equal(perm[table_b[e]], table_a[e]);
		}
	}
}

static uint64_t table_checksum(const uint32_t *table)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int e;

	for (e = 0; e < SIZE; e++) {
		h ^= table[e];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * The same input gives the same table, and the algorithm itself is pinned:
 * a new checksum means that an upgraded multinicd would move flows to
 * other NICs.  Update it only for a deliberate change of the algorithm.
 */
static void deterministic(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS];

	make_nics(nics, &sets[11], 0);
	nics[3].up = false;
	build(nics, sets[11].n, table_a);
	build(nics, sets[11].n, table_b);
	assert_memory_equal(table_a, table_b, sizeof(table_a));
	print_message("checksum of the pinned table: 0x%016llx\n",
		      (unsigned long long)table_checksum(table_a));
	assert_true(table_checksum(table_a) == 0xed390aabf1b43abfULL);
}

/*
 * No NIC up, one NIC up
 */

static void no_nic_up(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS];
	unsigned int e;

	memset(table_a, 0x5a, sizeof(table_a));
	assert_int_equal(mn_maglev_build(NULL, 0, table_a, SIZE), 0);
	for (e = 0; e < SIZE; e++)
		assert_int_equal(table_a[e], MN_NIC_NONE);

	make_nics(nics, &sets[5], 0);
	for (e = 0; e < sets[5].n; e++)
		nics[e].up = false;
	memset(table_a, 0x5a, sizeof(table_a));
	build(nics, sets[5].n, table_a);
	for (e = 0; e < SIZE; e++)
		assert_int_equal(table_a[e], MN_NIC_NONE);
}

static void one_nic_up(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS];
	unsigned int e, only;

	make_nics(nics, &sets[5], 0);
	build(nics, 1, table_a);
	for (e = 0; e < SIZE; e++)
		assert_int_equal(table_a[e], 0);

	for (only = 0; only < sets[5].n; only++) {
		for (e = 0; e < sets[5].n; e++)
			nics[e].up = e == only;
		build(nics, sets[5].n, table_a);
		for (e = 0; e < SIZE; e++)
			assert_int_equal(table_a[e], only);
	}
}

/*
 * Bad input: -EINVAL, and the table is left as it was
 */

static void assert_einval(const struct mn_maglev_nic *nics, unsigned int n, uint32_t *table,
			  unsigned int size)
{
	unsigned int e;

	if (table)
		memset(table, 0x5a, sizeof(table_a));
	assert_int_equal(mn_maglev_build(nics, n, table, size), -EINVAL);
	if (table)
		for (e = 0; e < SIZE; e++)
			assert_int_equal(table[e], 0x5a5a5a5aU);
}

static void bad_input(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS + 1];
	unsigned int i;

	make_nics(nics, &sets[3], 0);

	assert_einval(NULL, 0, table_a, 0);
	assert_einval(nics, 3, table_a, 0);
	assert_einval(nics, 3, NULL, SIZE);
	assert_einval(NULL, 3, table_a, SIZE);
	/* Not prime, or too small to give each NIC an entry. */
	assert_einval(nics, 3, table_a, 1);
	assert_einval(nics, 3, table_a, 2);
	assert_einval(nics, 3, table_a, 13);
	assert_einval(nics, 3, table_a, 16384);
	assert_einval(nics, 3, table_a, 16383); /* 3 * 43 * 127 */
	assert_einval(nics, 3, table_a, 127 * 129);
	assert_int_equal(mn_maglev_build(nics, 3, table_a, MN_MAGLEV_SIZE_MIN), 0);

	nics[1].weight = 0;
	assert_einval(nics, 3, table_a, SIZE);
	nics[1].weight = 2;
	nics[1].name = NULL;
	assert_einval(nics, 3, table_a, SIZE);
	nics[1].name = "";
	assert_einval(nics, 3, table_a, SIZE);
	nics[1].name = names[2]; /* the same name twice */
	assert_einval(nics, 3, table_a, SIZE);
	nics[1].name = "eth2 "; /* only similar: fine */
	build(nics, 3, table_a);

	/* MN_MAX_NICS NICs are fine, one more is not. */
	make_nics(nics, &sets[ARRAY_SIZE(sets) - 1], 0);
	build(nics, MN_MAX_NICS, table_a);
	for (i = 0; i < MN_MAX_NICS + 1; i++) {
		snprintf(names[i], NAME_LEN, "eth%u", i);
		nics[i] = (struct mn_maglev_nic){ names[i], 1, true };
	}
	assert_einval(nics, MN_MAX_NICS + 1, table_a, SIZE);
}

/*
 * Build time: a guard against an accidentally quadratic (or worse) build
 */

static double build_ms(const struct mn_maglev_nic *nics, unsigned int n)
{
	struct timespec t0, t1;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
	build(nics, n, table_a);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t1), 0);
	return (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
}

static void build_time(void **state UNUSED)
{
	struct mn_maglev_nic nics[MN_MAX_NICS];
	const struct weight_set *eight = &sets[11], *sixteen = &sets[ARRAY_SIZE(sets) - 1];
	double all_up, half_down, i16;
	unsigned int i;

	make_nics(nics, eight, 0);
	all_up = build_ms(nics, eight->n);
	for (i = 0; i < eight->n; i += 2)
		nics[i].up = false;
	half_down = build_ms(nics, eight->n);

	make_nics(nics, sixteen, 0);
	for (i = 0; i < sixteen->n; i += 2)
		nics[i].up = false;
	i16 = build_ms(nics, sixteen->n);

	print_message("build time: 8 NICs up %.2f ms, 8 NICs half down %.2f ms, "
		      "16 NICs half down %.2f ms\n",
		      all_up, half_down, i16);
	assert_true(all_up < BUILD_MAX_MS);
	assert_true(half_down < BUILD_MAX_MS);
	assert_true(i16 < BUILD_MAX_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shares_all_up),
		cmocka_unit_test(shares_some_down),
		cmocka_unit_test(shares_other_sizes),
		cmocka_unit_test(nic_down_and_return),
		cmocka_unit_test(second_nic_down_and_return),
		cmocka_unit_test(add_nic),
		cmocka_unit_test(order_independent),
		cmocka_unit_test(deterministic),
		cmocka_unit_test(no_nic_up),
		cmocka_unit_test(one_nic_up),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(build_time),
	};

	return cmocka_run_group_tests_name("multinic_maglev", tests, NULL, NULL);
}
