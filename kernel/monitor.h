/*
 * The kernel monitor: a tiny command interpreter on the console, for
 * looking at the machine while it runs.  The kernel enters it when it
 * has nothing else to do, on a panic, and (lab 3) on a breakpoint.
 */
#ifndef KERNEL_MONITOR_H
#define KERNEL_MONITOR_H

#include <inc/types.h>

struct Trapframe;

/*
 * Runs the monitor until a command asks to leave it (lab 3's
 * `continue`).  tf is the trap frame of the environment that trapped
 * into the monitor, or NULL.
 */
void monitor(struct Trapframe *tf);

/* A command receives its words (argv[0] is the command's name). */
typedef int (*monitor_command_fn)(int argc, char **argv, struct Trapframe *tf);

/* Commands, defined across kernel/monitor*.c.  Each returns 0 to stay
 * in the monitor, or -1 to leave it. */
int mon_help(int argc, char **argv, struct Trapframe *tf);
int mon_kerninfo(int argc, char **argv, struct Trapframe *tf);
int mon_backtrace(int argc, char **argv, struct Trapframe *tf);
/* The kernel stack around address sp, for walking it safely. */
void kernel_stack_bounds(uintptr_t sp, uintptr_t *bottom, uintptr_t *top);

/* Lab 2: kernel/monitor_mem.c */
int mon_showmappings(int argc, char **argv, struct Trapframe *tf);
int mon_setperm(int argc, char **argv, struct Trapframe *tf);
int mon_dumpmem(int argc, char **argv, struct Trapframe *tf);
int mon_pages(int argc, char **argv, struct Trapframe *tf);

/* Lab 3: resuming an environment from a breakpoint.  The environment
 * whose single step (stepi) the monitor is waiting for, or 0; an id,
 * not a flag, so that it cannot outlive that environment. */
extern int32_t monitor_stepping_env;
int mon_continue(int argc, char **argv, struct Trapframe *tf);
int mon_stepi(int argc, char **argv, struct Trapframe *tf);
#if LAB >= 4
/* lab4/lockcheck.c */
int mon_lockcheck(int argc, char **argv, struct Trapframe *tf);
#endif

#endif /* !KERNEL_MONITOR_H */
