/*
 * Each environment's x87 FPU and SSE registers (kernel/fpu.c).
 */
#ifndef KERNEL_FPU_H
#define KERNEL_FPU_H

struct Env;

void fpu_init_percpu(void);
void fpu_reset(struct Env *e);
void fpu_switch(struct Env *from, struct Env *to);

#endif /* !KERNEL_FPU_H */
