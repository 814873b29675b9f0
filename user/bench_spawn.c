/*
 * bench_spawn: what spawn costs the parent, in time-stamp counter
 * cycles: from the call to its return (the child built and runnable),
 * for a trivial program (this one, with the argument "child": it exits
 * at once).  Run under `-icount shift=0` the counter advances by one
 * per guest instruction, so the figure is an exact instruction count:
 * the parent's, the kernel's and the file server's (which serves the
 * reads) together.  The first spawn warms the file server's block
 * cache; the median of the rest is the figure (docs/performance.md).
 *
 *	make run-bench_spawn-nox QEMUEXTRA='-icount shift=0'
 */
#include <inc/lib.h>
#include <inc/x86.h>

#include "bench.h"

#define RUNS 11

void
umain(int argc, char **argv)
{
	uint32_t cycles[RUNS];

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return;
	for (int i = 0; i < RUNS; i++) {
		uint64_t start = read_tsc();
		envid_t id =
			spawnl(argv[0], argv[0], "child", (const char *) NULL);
		uint64_t end = read_tsc();
		if (id < 0)
			panic("spawn: %e", id);
		cycles[i] = end - start;
		wait(id);
	}
	/* Sort runs 1.. (the warm ones) for the median. */
	bench_sort(cycles + 1, RUNS - 1);
	cprintf("bench_spawn: first (cold) spawn %u cycles\n", cycles[0]);
	cprintf("bench_spawn: warm spawn: median %u cycles (min %u, %d runs)\n",
		cycles[1 + (RUNS - 1) / 2], cycles[1], RUNS - 1);
}
