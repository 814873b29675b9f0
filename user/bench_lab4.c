/*
 * bench_lab4: what lab 4's mechanisms cost.
 *
 * Times, with the time-stamp counter, many repetitions of
 *   - an IPC round trip with the classic calls: the parent's
 *     ipc_send + ipc_recv, a forked child answering with ipc_recv +
 *     ipc_send;
 *   - the same round trip with ExoLab's combined calls: ipc_call
 *     against a server looping in ipc_reply_recv;
 *   - a page fault handled in user space whose handler allocates the
 *     page: the fault, the upcall, sys_page_alloc and the return;
 *   - a copy-on-write fault: the same with fork's handler, which
 *     allocates, copies and remaps;
 *   - fork itself (the parent's return), with 16, 256 and 4096 pages
 *     mapped below UTOP;
 *   - sys_yield with no other environment runnable, with only the
 *     environments already there alive, then with 500 alive (the new
 *     ones blocked): the scheduler's cost must not grow with them;
 * and prints the median and the minimum of each.
 *
 * Under `-icount shift=0` QEMU advances the time-stamp counter by one
 * per instruction, so the figures are exact instruction counts
 * (grade/tools/bench.py runs it so); otherwise they are emulated cycles
 * that follow the host clock.  docs/performance.md has the results.
 */
#include <inc/lib.h>
#include <inc/x86.h>

#include "bench.h"

#define RUNS	  2000 /* timed repetitions of the small operations */
#define FORK_RUNS 3    /* of each fork */
#define SCRATCH	  ((char *) 0x10000000) /* pages we fault in */
#define MANY	  ((char *) 0x20000000) /* pages that make fork big */

static uint32_t samples[RUNS];

static void
report(const char *what, int n)
{
	bench_sort(samples, n);
	cprintf("bench_lab4: %s: median %u (min %u, %d runs)\n", what,
		samples[n / 2], samples[0], n);
}

/* The cost of reading the counter twice, to subtract. */
static uint32_t
overhead(void)
{
	for (int i = 0; i < RUNS; i++) {
		uint64_t t = read_tsc();
		samples[i] = (uint32_t) (read_tsc() - t);
	}
	bench_sort(samples, RUNS);
	return samples[RUNS / 2];
}

/* --- IPC ---------------------------------------------------------- */

static void __attribute__((noreturn)) echo_classic(void)
{
	envid_t from;

	for (;;) {
		uint32_t v = ipc_recv(&from, NULL, NULL);
		ipc_send(from, v, NULL, 0);
	}
}

static void __attribute__((noreturn)) echo_combined(void)
{
	envid_t from;
	uint32_t v = ipc_recv(&from, NULL, NULL);

	for (;;)
		v = ipc_reply_recv(from, v, NULL, 0, &from, NULL, NULL);
}

static void
bench_ipc(void)
{
	envid_t child;

	if ((child = fork()) == 0)
		echo_classic();
	for (int i = 0; i < RUNS + 100; i++) {
		uint64_t t = read_tsc();
		ipc_send(child, i, NULL, 0);
		if (ipc_recv(NULL, NULL, NULL) != (int32_t) i)
			panic("bench_lab4: the echo is wrong");
		if (i >= 100)
			samples[i - 100] = (uint32_t) (read_tsc() - t);
	}
	report("IPC round trip, ipc_send + ipc_recv", RUNS);
	sys_env_destroy(child);

	if ((child = fork()) == 0)
		echo_combined();
	for (int i = 0; i < RUNS + 100; i++) {
		uint64_t t = read_tsc();
		if (ipc_call(child, i, NULL, 0, NULL, NULL) != (int32_t) i)
			panic("bench_lab4: the echo is wrong");
		if (i >= 100)
			samples[i - 100] = (uint32_t) (read_tsc() - t);
	}
	report("IPC round trip, ipc_call + ipc_reply_recv", RUNS);
	sys_env_destroy(child);
}

/* --- page faults -------------------------------------------------- */

static void
allocate_here(struct UTrapframe *utf)
{
	int r;

	if ((r = sys_page_alloc(0,
				ROUNDDOWN((void *) utf->utf_fault_va, PGSIZE),
				PTE_P | PTE_U | PTE_W)) < 0)
		panic("bench_lab4: sys_page_alloc: %e", r);
}

static void
bench_upcall(void)
{
	set_pgfault_handler(allocate_here);
	for (int i = 0; i < RUNS; i++) {
		uint64_t t = read_tsc();
		*(volatile char *) SCRATCH = 1;
		samples[i] = (uint32_t) (read_tsc() - t);
		sys_page_unmap(0, SCRATCH);
	}
	report("page fault upcall that allocates the page", RUNS);
}

/* Maps pages at MANY until `total` pages are mapped below UTOP. */
static int
mapped_pages(void)
{
	int n = 0;

	for (unsigned pdx = 0; pdx < PDX(UTOP); pdx++) {
		if (!(uvpd[pdx] & PTE_P))
			continue;
		for (unsigned pn = pdx * NPTENTRIES;
		     pn < (pdx + 1) * NPTENTRIES; pn++)
			n += (uvpt[pn] & PTE_P) != 0;
	}
	return n;
}

static void
grow_to(int total)
{
	static int extra;
	int r;

	for (int n = mapped_pages(); n < total; n++, extra++)
		if ((r = sys_page_alloc(0, MANY + extra * PGSIZE,
					PTE_P | PTE_U | PTE_W)) < 0)
			panic("bench_lab4: sys_page_alloc: %e", r);
}

/* Forks a child that exits at once; waits until it is gone. */
static uint32_t
timed_fork(void)
{
	envid_t child;
	uint64_t t = read_tsc();

	if ((child = fork()) == 0)
		exit();
	t = read_tsc() - t;
	if (child < 0)
		panic("bench_lab4: fork: %e", child);
	while (envs[ENVX(child)].env_id == child &&
	       envs[ENVX(child)].env_status != ENV_FREE)
		sys_yield();
	return (uint32_t) t;
}

static void
bench_fork_and_cow(void)
{
	static const int sizes[] = { 16, 256, 4096 };
	char what[64];

	for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++) {
		int extra_pages;

		grow_to(sizes[s]);
		extra_pages = mapped_pages();
		for (int run = 0; run < FORK_RUNS; run++) {
			/* Make every page writable again, as after a fresh
			 * allocation (untimed). */
			for (char *p = MANY; p < MANY + extra_pages * PGSIZE;
			     p += PGSIZE)
				if ((uvpd[PDX(p)] & PTE_P) &&
				    (uvpt[PGNUM(p)] & PTE_COW))
					*(volatile char *) p = 1;
			samples[run] = timed_fork();
		}
		snprintf(what, sizeof(what),
			 "fork, %d pages mapped (parent's return)",
			 extra_pages);
		report(what, FORK_RUNS);
	}

	/* Copy-on-write faults: after the last fork, each first write to
	 * one of our pages copies it. */
	for (int i = 0; i < 64; i++) {
		uint64_t t = read_tsc();
		MANY[i * PGSIZE] = 1;
		samples[i] = (uint32_t) (read_tsc() - t);
	}
	report("copy-on-write fault (allocate, copy, remap)", 64);
}

/* --- scheduling --------------------------------------------------- */

static int
alive(void)
{
	int n = 0;

	for (int i = 0; i < NENV; i++)
		n += envs[i].env_status != ENV_FREE;
	return n;
}

static void
time_yields(void)
{
	char what[64];

	for (int i = 0; i < RUNS; i++) {
		uint64_t t = read_tsc();
		sys_yield();
		samples[i] = (uint32_t) (read_tsc() - t);
	}
	int n = alive();

	snprintf(what, sizeof(what), "sys_yield, %d environment%s alive", n,
		 n == 1 ? "" : "s");
	report(what, RUNS);
}

/* Last: the children it makes stay until this program exits (they
 * never run: sys_exofork leaves them ENV_NOT_RUNNABLE, and the kernel
 * frees them with their parent). */
static void
bench_yield(void)
{
	envid_t child;

	time_yields();
	while (alive() < 500) {
		if ((child = sys_exofork()) < 0)
			panic("bench_lab4: sys_exofork: %e", child);
		if (child == 0)
			panic("bench_lab4: a blocked child ran");
	}
	time_yields();
}

void
umain(int argc, char **argv)
{
	cprintf("bench_lab4: rdtsc overhead %u (subtract it)\n", overhead());
	/* fork first, while the program is small. */
	bench_fork_and_cow();
	bench_ipc();
	bench_upcall();
	bench_yield();
	cprintf("bench_lab4: done\n");
}
