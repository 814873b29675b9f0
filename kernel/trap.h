/* Traps, kernel side (kernel/trap.c, kernel/trapentry.S). */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <inc/trap.h>
#include <inc/mmu.h>

extern struct Gatedesc idt[256];

/*
 * Did this trap come from user mode?  The one test the kernel uses.
 * Normally the privilege level in cs says so.  But a trap from
 * virtual-8086 mode carries a real-mode cs, whose low bits can be
 * anything: QEMU 7.2's TCG enters vm86 when user code irets with
 * EFLAGS.VM set, which real CPUs ignore at CPL 3.  Such a trap is a
 * user trap too, and must never be taken for the kernel's own.
 */
static inline bool
trap_from_user(const struct Trapframe *tf)
{
	return (tf->tf_cs & 3) != 0 || (tf->tf_eflags & FL_VM) != 0;
}

void trap_init(void);
void trap_init_percpu(void);
void print_trapframe(struct Trapframe *tf);
void print_regs(struct PushRegs *regs);
const char *trapname(int trapno);
void page_fault_handler(struct Trapframe *tf);
/* Called from kernel/trapentry.S with the frame it built. */
void trap(struct Trapframe *tf) __attribute__((noreturn));

#endif /* !KERNEL_TRAP_H */
