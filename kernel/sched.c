/*
 * The scheduler: pick the next environment to run.
 *
 * With nothing runnable, the next program queued on the kernel command
 * line (run=...) is started; with nothing left at all, the kernel says
 * so and hands the machine to the monitor.
 */
#include <inc/assert.h>
#include <kernel/env.h>
#include <kernel/monitor.h>
#include <kernel/sched.h>
#include <kernel/trace.h>
#include <kernel/userprogs.h>
#include <kernel/fpu.h>
#if LAB >= 4
#include <inc/x86.h>
#include <kernel/cpu.h>
#include <kernel/pmap.h>
#include <kernel/spinlock.h>
#endif

static void sched_halt(void) __attribute__((noreturn));

#if LAB >= 4
/*
 * Lab 4: several CPUs share one scheduler (under the big kernel lock,
 * kernel/spinlock.h).  Choosing must cost the same with 2 environments
 * as with 1,000, so the runnable ones are kept on the run ring, a
 * circular doubly-linked list through env_sched_next/env_sched_prev
 * that holds exactly the environments whose status is ENV_RUNNABLE,
 * ENV_RUNNING or ENV_DYING.  env_set_status (kernel/env.c) keeps it:
 * every change of env_status goes through it, except sched_handoff's
 * swap of two environments (below) and env_run's moves between
 * ENV_RUNNABLE and ENV_RUNNING, which leave the ring as it is.  New
 * environments join at the end of the round (just before run_ring),
 * so they run in the order they were created.  A CPU with nothing to
 * run halts with interrupts on until its timer (or anything else)
 * wakes it.
 */

/* The ring's first environment: where a CPU without a current
 * environment on the ring starts looking.  NULL when the ring is empty. */
static struct Env *run_ring;

/* Puts e on the ring, at the end of the round. */
void
sched_enqueue(struct Env *e)
{
	if (run_ring == NULL) {
		e->env_sched_next = e->env_sched_prev = e;
		run_ring = e;
		return;
	}
	e->env_sched_next = run_ring;
	e->env_sched_prev = run_ring->env_sched_prev;
	run_ring->env_sched_prev->env_sched_next = e;
	run_ring->env_sched_prev = e;
}

/* Takes e off the ring. */
void
sched_dequeue(struct Env *e)
{
	if (e->env_sched_next == e) {
		run_ring = NULL;
	} else {
		e->env_sched_prev->env_sched_next = e->env_sched_next;
		e->env_sched_next->env_sched_prev = e->env_sched_prev;
		if (run_ring == e)
			run_ring = e->env_sched_next;
	}
	e->env_sched_next = e->env_sched_prev = NULL;
}

/*
 * curenv blocks (ENV_NOT_RUNNABLE) and `to`, which was blocked, runs
 * now on this CPU in curenv's place, on the ring and in the round: the
 * combined IPC calls' direct switch (kernel/syscall.c).  Swapping the
 * two on the ring costs a few pointer moves, against two trips through
 * env_set_status and one through the scheduler.  If `to` is not
 * plainly waiting (not ENV_NOT_RUNNABLE, or still loaded on another
 * CPU), the slow way keeps it safe.
 */
void
sched_handoff(struct Env *to)
{
	struct Env *from = curenv;

	if (to->env_status != ENV_NOT_RUNNABLE || env_loaded_elsewhere(to)) {
		env_set_status(to, ENV_RUNNABLE);
		env_set_status(from, ENV_NOT_RUNNABLE);
		sched_yield();
	}
	if (from->env_sched_next == from) {
		to->env_sched_next = to->env_sched_prev = to;
	} else {
		to->env_sched_next = from->env_sched_next;
		to->env_sched_prev = from->env_sched_prev;
		to->env_sched_prev->env_sched_next = to;
		to->env_sched_next->env_sched_prev = to;
	}
	if (run_ring == from)
		run_ring = to;
	from->env_sched_next = from->env_sched_prev = NULL;
	from->env_status = ENV_NOT_RUNNABLE;
	to->env_status = ENV_RUNNABLE;
	env_run(to);
}

/*
 * sched_yield: choose an environment and run it (lab 4, exercise 6).
 *
 * Round robin over the run ring: start with the environment after this
 * CPU's current one (curenv->env_sched_next), or at run_ring if this
 * CPU has no current environment or it is no longer on the ring
 * (sched_on_ring says), and go once around; run (env_run) the first
 * environment that is ENV_RUNNABLE.  Never pick an ENV_RUNNING one: it
 * is running on some other CPU right now, and one environment on two
 * CPUs would run on one saved register set and one stack twice.
 * If none is runnable but curenv is still ENV_RUNNING (this CPU's, so
 * it may go on), run curenv again.  Otherwise call sched_halt(), below.
 * Never returns.
 *
 * The ring holds only runnable, running and dying environments, so the
 * walk takes at most one step per CPU plus one, however many
 * environments exist: do not scan envs[].
 */
void
sched_yield(void)
{
#if SOL >= 4
	struct Env *start = run_ring;

	if (curenv && sched_on_ring(curenv))
		start = curenv->env_sched_next;
	if (start != NULL) {
		struct Env *e = start;
		do {
			if (e->env_status == ENV_RUNNABLE) {
				if (trace_mask & TRACE_SCHED)
					trace_sched(e);
				env_run(e);
			}
			e = e->env_sched_next;
		} while (e != start);
	}
	if (curenv && curenv->env_status == ENV_RUNNING)
		env_run(curenv);
#else
	/* LAB 4: Your code here (exercise 6).
	 * Until then, lab 3's scan of every slot of envs[] stands in: it
	 * works, but its cost grows with NENV. */
	static bool said;
	int start = curenv ? ENVX(curenv->env_id) + 1 : 0;

	if (!said) {
		cprintf("sched_yield: the run ring walk is not implemented "
			"(lab 4, exercise 6): scanning all of envs[]\n");
		said = true;
	}
	for (int i = 0; i < NENV; i++) {
		struct Env *e = &envs[(start + i) % NENV];
		if (e->env_status == ENV_RUNNABLE) {
			if (trace_mask & TRACE_SCHED)
				trace_sched(e);
			env_run(e);
		}
	}
	if (curenv && curenv->env_status == ENV_RUNNING)
		env_run(curenv);
#endif
	sched_halt();
}

/* Halts this CPU, without the lock, until an interrupt arrives; trap()
 * sends that to sched_wakeup.  The CPU's stack starts afresh: nothing
 * on it is needed any more. */
void
sched_idle(void)
{
	asm volatile("movl $0, %%ebp\n"
		     "movl %0, %%esp\n"
		     "pushl $0\n" /* a null frame: backtraces stop */
		     "pushl $0\n"
		     "1: sti\n" /* sti's effect waits for the hlt */
		     "hlt\n"
		     "jmp 1b\n"
		     :
		     : "r"(cpu_kstacktop(cpunum()))
		     : "memory");
	__builtin_unreachable();
}

/* An interrupt woke this CPU from sched_idle (trap() calls this).  If
 * the kernel is free, look for work; if another CPU holds it, that CPU
 * is busy in the kernel (or sits in the monitor): halt again, and look
 * at the next tick. */
void
sched_wakeup(struct Trapframe *tf)
{
	if (tf->tf_trapno != IRQ_OFFSET + IRQ_SPURIOUS)
		lapic_eoi();
	if (!spin_trylock(&kernel_lock))
		sched_idle();
	xchg(&thiscpu->cpu_status, CPU_STARTED);
	sched_yield();
}

/*
 * Nothing for this CPU to run.  When nothing is left on any CPU, start
 * the next queued program; with none left either, CPU 0 says so and
 * enters the monitor.  Otherwise the CPU halts, releasing the lock.
 */
static void
sched_halt(void)
{
	/* curenv, if still alive, stops being current here: its FPU
	 * registers go to memory first (kernel/fpu.c). */
	fpu_switch(curenv, NULL);
	curenv = NULL;
	/* The page directory of a blocked environment could be freed by
	 * another CPU while we halt on it. */
	lcr3(PADDR(kern_pgdir));

	if (run_ring == NULL && start_next_program() == 0)
		sched_yield();
	if (run_ring == NULL && cpunum() == 0) {
		cprintf("No runnable environments in the system!\n");
		for (;;)
			monitor(NULL);
	}

	xchg(&thiscpu->cpu_status, CPU_HALTED);
	unlock_kernel();
	sched_idle();
}

#else /* LAB < 4 */

/* Environments are scanned round-robin, starting after the one that ran
 * last. */
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
	/* curenv, if still alive, stops being current: its FPU registers
	 * go to memory first (kernel/fpu.c). */
	fpu_switch(curenv, NULL);
	curenv = NULL;
	for (;;)
		monitor(NULL);
}
#endif
