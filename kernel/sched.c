/*
 * The scheduler: pick the next environment to run.
 *
 * Environments are scanned round-robin, starting after the one that
 * ran last.  With nothing runnable, the next program queued on the
 * kernel command line (run=...) is started; with nothing left at all,
 * the kernel says so and hands the machine to the monitor.
 */
#include <inc/assert.h>
#include <kernel/env.h>
#include <kernel/monitor.h>
#include <kernel/sched.h>
#include <kernel/trace.h>
#include <kernel/userprogs.h>

static void sched_halt(void) __attribute__((noreturn));

void
sched_yield(void)
{
	int start = curenv ? ENVX(curenv->env_id) + 1 : 0;

	for (;;) {
		for (int i = 0; i < NENV; i++) {
			struct Env *e = &envs[(start + i) % NENV];
			if (e->env_status != ENV_RUNNABLE)
				continue;
			if (trace_mask & TRACE_SCHED)
				trace_sched(e);
			env_run(e);
		}
		/* Nothing else to run: keep running the current one. */
		if (curenv && curenv->env_status == ENV_RUNNING)
			env_run(curenv);
		/* Nothing at all: start the next queued program, if any. */
		if (start_next_program() < 0)
			sched_halt();
	}
}

static void
sched_halt(void)
{
	cprintf("No runnable environments in the system!\n");
	curenv = NULL;
	for (;;)
		monitor(NULL);
}
