/*
 * Kernel tracing (kernel/trace.c): one line per event, chosen on the
 * kernel command line with trace=syscall,trap,pgfault,sched,ipc (or
 * trace=all).  See docs/gdb.md, "Tracing".
 *
 * Every hook is a test of trace_mask before the call, so that with
 * tracing off (the default) an event costs one load and one branch.
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include <inc/types.h>

struct Trapframe;
struct Env;

enum {
	TRACE_SYSCALL =
		1 << 0,	     /* every system call, decoded, with its result */
	TRACE_TRAP = 1 << 1, /* every other trap and interrupt */
	TRACE_PGFAULT = 1 << 2, /* page faults (lab 4: and upcalls) */
	TRACE_SCHED = 1 << 3, /* switches to another environment, preemptions */
	TRACE_IPC = 1 << 4,   /* the IPC system calls and wake-ups (lab 4) */
};

extern uint32_t trace_mask;

/* Reads trace= from the kernel command line. */
void trace_init(void);
/* Runs dispatch(tf), printing the trap's line before it or the system
 * call's line (with its result) after it. */
void trace_dispatch(struct Trapframe *tf, void (*dispatch)(struct Trapframe *));
/* The scheduler is about to switch to e (after a timer interrupt: a
 * preemption). */
void trace_sched(struct Env *e);
/* A message has just woken `receiver` from its receive call. */
void trace_ipc_wake(struct Env *receiver);

#endif /* !KERNEL_TRACE_H */
