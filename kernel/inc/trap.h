/*
 * Traps: the vector numbers of the x86's exceptions and of our own
 * software interrupts, and the trap frame the kernel saves on entry.
 * Reference: Intel SDM volume 3A, chapter 6.
 */
#ifndef INC_TRAP_H
#define INC_TRAP_H

/* Processor-defined exceptions, 0-19. */
#define T_DIVIDE 0 /* divide error */
#define T_DEBUG	 1 /* debug exception (single step) */
#define T_NMI	 2 /* non-maskable interrupt */
#define T_BRKPT	 3 /* breakpoint (int3) */
#define T_OFLOW	 4 /* overflow (into) */
#define T_BOUND	 5 /* bound range exceeded */
#define T_ILLOP	 6 /* invalid opcode */
#define T_DEVICE 7 /* device (FPU) not available */
#define T_DBLFLT 8 /* double fault */
/* 9 is reserved (coprocessor segment overrun on old CPUs) */
#define T_TSS	10 /* invalid task switch segment */
#define T_SEGNP 11 /* segment not present */
#define T_STACK 12 /* stack segment fault */
#define T_GPFLT 13 /* general protection fault */
#define T_PGFLT 14 /* page fault */
/* 15 is reserved */
#define T_FPERR	  16 /* x87 floating-point error */
#define T_ALIGN	  17 /* alignment check */
#define T_MCHK	  18 /* machine check */
#define T_SIMDERR 19 /* SIMD floating-point error */

/* Our own vectors: system calls, and a catch-all for the rest. */
#define T_SYSCALL 48
#define T_DEFAULT 500

/* Hardware interrupts arrive at IRQ_OFFSET + IRQ number (lab 4). */
#define IRQ_OFFSET   32
#define IRQ_TIMER    0
#define IRQ_KBD	     1
#define IRQ_SERIAL   4
#define IRQ_SPURIOUS 7
#define IRQ_IDE	     14
#define IRQ_ERROR    19

#ifndef __ASSEMBLER__

#include <inc/types.h>

/* The general registers, in the order `pushal` pushes them (so that
 * the struct is the memory image pushal leaves). */
struct PushRegs {
	uint32_t reg_edi;
	uint32_t reg_esi;
	uint32_t reg_ebp;
	uint32_t reg_oesp; /* esp at pushal time: useless, ignored */
	uint32_t reg_ebx;
	uint32_t reg_edx;
	uint32_t reg_ecx;
	uint32_t reg_eax;
} __attribute__((packed));

/*
 * What the kernel saves of an environment when it traps.  Read from
 * the bottom up, it is built in three steps:
 *   - the CPU pushes tf_ss .. tf_eip (tf_esp and tf_ss only when the
 *     trap came from user mode) and, for some exceptions, tf_err;
 *   - the vector's entry stub (kernel/trapentry.S) pushes a zero error
 *     code if the CPU did not, and the trap number;
 *   - the common code pushes ds, es and the general registers.
 */
struct Trapframe {
	struct PushRegs tf_regs;
	uint16_t tf_es;
	uint16_t tf_padding1;
	uint16_t tf_ds;
	uint16_t tf_padding2;
	uint32_t tf_trapno;
	/* below here, defined by the x86 hardware */
	uint32_t tf_err;
	uintptr_t tf_eip;
	uint16_t tf_cs;
	uint16_t tf_padding3;
	uint32_t tf_eflags;
	/* below here only when crossing rings, such as from user to kernel */
	uintptr_t tf_esp;
	uint16_t tf_ss;
	uint16_t tf_padding4;
} __attribute__((packed));

/* What a user page fault handler receives on its exception stack
 * (lab 4). */
struct UTrapframe {
	/* information about the fault */
	uint32_t utf_fault_va; /* va for T_PGFLT, 0 otherwise */
	uint32_t utf_err;
	/* trap-time return state */
	struct PushRegs utf_regs;
	uintptr_t utf_eip;
	uint32_t utf_eflags;
	/* the trap-time stack to return to */
	uintptr_t utf_esp;
} __attribute__((packed));

_Static_assert(sizeof(struct Trapframe) == 68, "Trapframe is 68 bytes");
_Static_assert(sizeof(struct UTrapframe) == 52, "UTrapframe is 52 bytes");

#endif /* !__ASSEMBLER__ */

#endif /* !INC_TRAP_H */
