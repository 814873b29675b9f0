/*
 * bench_syscall: how many cycles a system call costs.
 *
 * Times, with the CPU's time-stamp counter, many repetitions of
 *   - a null system call, sys_getenvid(): the trap, the kernel's
 *     dispatch, a trivial call and the return;
 *   - the trap path alone: `int $0x30` with a number that is no system
 *     call, which the kernel answers -E_INVAL at once;
 *   - nothing at all: what reading the counter twice costs, to be
 *     subtracted from the other two;
 * and prints the median of each (the median, not the mean: one
 * interrupt or host hiccup must not move the figure).
 *
 * Under QEMU's TCG the time-stamp counter is emulated (it follows the
 * host's clock), so the figures compare kernels, or a kernel before and
 * after a change, on one machine; they are not a real i386's cycles.
 * grade/tools/bench.py runs this and reports the figures; docs/performance.md
 * has them.
 */
#include <inc/lib.h>
#include <inc/x86.h>

#include "bench.h"

#define WARMUP                                                                 \
	1000		 /* untimed runs first: caches, TLB, TCG's             \
			  * translation of the code */
#define ITERATIONS 20000 /* timed runs of each operation */

/* A number that is not a system call (and never will be: numbers are
 * appended, and this is far past any table). */
#define INVALID_SYSCALL 0x7FFFFFFF

static uint32_t samples[ITERATIONS];

/* The three operations to time.  noinline: each is called the same way,
 * through a pointer, so the harness's own cost is the same for all
 * three and `nothing` measures it. */
static void __attribute__((noinline)) null_syscall(void)
{
	sys_getenvid();
}

static int32_t
invalid_trap(void)
{
	int32_t ret;

	asm volatile("int %1"
		     : "=a"(ret)
		     : "i"(T_SYSCALL), "0"(INVALID_SYSCALL)
		     : "cc", "memory", "edx", "ecx", "ebx", "edi", "esi");
	return ret;
}

static void __attribute__((noinline)) trap_only(void)
{
	invalid_trap();
}

static void __attribute__((noinline)) nothing(void)
{
	asm volatile("" ::: "memory");
}

/*
 * Runs op WARMUP times untimed, then ITERATIONS times, each timed on
 * its own between two reads of the time-stamp counter.  Prints the
 * median and the minimum, in cycles, and returns the median.
 */
static uint32_t
measure(const char *what, void (*op)(void))
{
	for (int i = 0; i < WARMUP; i++)
		op();
	for (int i = 0; i < ITERATIONS; i++) {
		uint64_t start = read_tsc();
		op();
		samples[i] = (uint32_t) (read_tsc() - start);
	}
	bench_sort(samples, ITERATIONS);
	cprintf("bench_syscall: %s: median %u cycles (min %u, %d runs)\n", what,
		samples[ITERATIONS / 2], samples[0], ITERATIONS);
	return samples[ITERATIONS / 2];
}

void
umain(int argc, char **argv)
{
	uint32_t null_call, trap, overhead;
	int32_t r;

	/* Check that the calls being timed do what we think. */
	if ((r = invalid_trap()) != -E_INVAL)
		panic("bench_syscall: call %08x returned %d, not -E_INVAL",
		      INVALID_SYSCALL, r);
	if (sys_getenvid() != thisenv->env_id)
		panic("bench_syscall: sys_getenvid is not our id");

	null_call = measure("null system call (sys_getenvid)", null_syscall);
	trap = measure("trap path (int $0x30, invalid number)", trap_only);
	overhead = measure("rdtsc overhead (timing an empty call)", nothing);

	cprintf("bench_syscall: less the overhead: null system call %d, "
		"trap path %d cycles\n",
		(int) (null_call - overhead), (int) (trap - overhead));
	cprintf("bench_syscall: done\n");
}
