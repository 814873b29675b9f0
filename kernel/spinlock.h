/*
 * Spin locks (kernel/spinlock.c), and the one lock ExoLab's kernel
 * uses: the big kernel lock.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <inc/types.h>
#include <inc/x86.h>
#include <kernel/cpu.h>

struct spinlock {
	volatile uint32_t locked; /* 1 while some CPU holds it */
	const char *name;	  /* for messages */
	/* Who holds it, for the checks and for debugging: */
	int cpu;       /* the CPU's index, -1 if free */
	uintptr_t eip; /* the code that took it */
};

#define SPINLOCK_INIT(lockname)                                                \
	{                                                                      \
		0, (lockname), -1, 0                                           \
	}

/* Takes lk if it is free; returns whether it did. */
bool spin_trylock(struct spinlock *lk);
/* Whether this CPU holds lk. */
bool spin_holding(struct spinlock *lk);

/* Stops the kernel on a misuse of lk at `caller` (kernel/spinlock.c). */
void spin_misuse(struct spinlock *lk, const char *what, uintptr_t caller)
	__attribute__((noreturn));

/* The address of this very instruction, for the messages. */
#define SPIN_HERE(var) asm volatile("movl $1f, %0\n1:" : "=r"(var))

/*
 * spin_lock and spin_unlock are inline: the big kernel lock is taken
 * and released on every system call, and a call costs as much as the
 * work.  Everything slow is in kernel/spinlock.c.
 */
/* Spins until this CPU holds lk; panics if it already does. */
static inline __attribute__((always_inline)) void
spin_lock(struct spinlock *lk)
{
	int me = cpunum();
	uintptr_t here;

	SPIN_HERE(here);
	if (lk->locked && lk->cpu == me)
		spin_misuse(lk, "spin_lock: recursive acquire", here);
	/* xchg makes "see it free and take it" one atomic step across
	 * CPUs; pause tells the CPU that we spin. */
	while (xchg(&lk->locked, 1) != 0)
		asm volatile("pause");
	lk->cpu = me;
	lk->eip = here;
}

/* Releases lk; panics unless this CPU holds it. */
static inline __attribute__((always_inline)) void
spin_unlock(struct spinlock *lk)
{
	if (!lk->locked || lk->cpu != cpunum()) {
		uintptr_t here;
		SPIN_HERE(here);
		spin_misuse(lk, "spin_unlock: release by a non-holder", here);
	}
	lk->cpu = -1;
	/* xchg, not a plain store: it orders every write made under the
	 * lock before the release (and the compiler cannot move them). */
	xchg(&lk->locked, 0);
}

/*
 * THE BIG KERNEL LOCK: the rule (lab 4).
 *
 * At most one CPU runs kernel code at a time, and it holds kernel_lock
 * while it does; user code and idle CPUs run without it.  So the lock
 * is taken exactly where a CPU enters the kernel and released exactly
 * where it leaves:
 *   taken    - by the boot CPU in i386_init, before it starts the others;
 *            - in trap(), on every trap from user mode;
 *            - in trap() (sched_wakeup), when an interrupt wakes a CPU
 *              that waits in the scheduler's idle loop, if the lock
 *              is free; if not, the CPU just halts again;
 *   released - in env_pop_tf, just before the iret into user mode;
 *            - in sched_halt, just before the CPU goes idle.
 * The other CPUs start idle (mp_main ends in the idle loop), so they
 * first take the lock at their first timer tick.
 * A trap from kernel mode (a kernel bug, or the monitor's breakpoint)
 * already holds it.  Interrupts are off whenever the lock is held, so
 * no interrupt handler ever waits for a lock its own CPU holds.
 */
extern struct spinlock kernel_lock;

static inline __attribute__((always_inline)) void
lock_kernel(void)
{
	spin_lock(&kernel_lock);
}

static inline __attribute__((always_inline)) void
unlock_kernel(void)
{
	spin_unlock(&kernel_lock);
}

#endif /* !KERNEL_SPINLOCK_H */
