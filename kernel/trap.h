/* Traps, kernel side (kernel/trap.c, kernel/trapentry.S). */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <inc/trap.h>
#include <inc/mmu.h>

extern struct Gatedesc idt[256];

void trap_init(void);
void trap_init_percpu(void);
void print_trapframe(struct Trapframe *tf);
void print_regs(struct PushRegs *regs);
const char *trapname(int trapno);
void page_fault_handler(struct Trapframe *tf);
/* Called from kernel/trapentry.S with the frame it built. */
void trap(struct Trapframe *tf) __attribute__((noreturn));

#endif /* !KERNEL_TRAP_H */
