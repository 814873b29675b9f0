/*
 * Shared by the benchmark programs (user/bench_*.c): sorting the timed
 * samples, whose median and minimum each program prints.  A median
 * rather than a mean, because one sample that a timer interrupt or
 * QEMU's translation of new code lands in can be many times the rest.
 */
#ifndef USER_BENCH_H
#define USER_BENCH_H

#include <inc/types.h>

/* Sorts a[0..n) in place: Shell sort, halving the gap each pass;
 * short, and fast enough for a few thousand samples. */
static void
bench_sort(uint32_t *a, int n)
{
	for (int gap = n / 2; gap > 0; gap /= 2)
		for (int i = gap; i < n; i++) {
			uint32_t v = a[i];
			int j = i;

			for (; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
}

#endif
