/* Choosing what runs next (kernel/sched.c). */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

/* Runs some runnable environment; never returns. */
void sched_yield(void) __attribute__((noreturn));

#endif /* !KERNEL_SCHED_H */
