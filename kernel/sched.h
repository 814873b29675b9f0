/* Choosing what runs next (kernel/sched.c). */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <inc/env.h>

/* Runs some runnable environment; never returns. */
void sched_yield(void) __attribute__((noreturn));

#if LAB >= 4
/* The run ring: env_set_status (kernel/env.c) keeps it, and
 * sched_handoff below.  Inline: every status change asks twice. */
static inline bool
sched_on_ring(struct Env *e)
{
	return e->env_status == ENV_RUNNABLE || e->env_status == ENV_RUNNING ||
	       e->env_status == ENV_DYING;
}
void sched_enqueue(struct Env *e);
void sched_dequeue(struct Env *e);
/* curenv blocks and `to`, which waited, runs at once in its place
 * (the combined IPC calls, kernel/syscall.c). */
void sched_handoff(struct Env *to) __attribute__((noreturn));
/* Waits, halted and without the kernel lock, for an interrupt. */
void sched_idle(void) __attribute__((noreturn));
/* trap() calls this when an interrupt wakes a halted CPU. */
void sched_wakeup(struct Trapframe *tf) __attribute__((noreturn));
#endif

#endif /* !KERNEL_SCHED_H */
