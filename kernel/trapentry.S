/*
 * Trap entry points.
 *
 * The CPU enters the kernel through the IDT gate of a vector with the
 * kernel stack already switched (the TSS's esp0) and ss, esp, eflags,
 * cs, eip pushed - plus an error code for some exceptions.  Each
 * vector's stub below makes the stack look the same in every case
 * (a zero where the CPU pushed no error code, then the trap number)
 * and jumps to _alltraps, which saves the rest of a struct Trapframe
 * (inc/trap.h) and calls trap(tf).
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>
#include <inc/trap.h>

/* For the exceptions where the CPU pushes an error code itself
 * (8, 10-14, 17): push only the trap number. */
#define TRAPHANDLER(name, num)						\
	.globl name;							\
	.type name, @function;						\
	.align 2;							\
	name:								\
	pushl $(num);							\
	jmp _alltraps

/* For all the others: push a zero error code first. */
#define TRAPHANDLER_NOEC(name, num)					\
	.globl name;							\
	.type name, @function;						\
	.align 2;							\
	name:								\
	pushl $0;							\
	pushl $(num);							\
	jmp _alltraps

.text

/*
 * Lab 3, exercise 4: one entry point per vector that trap_init installs
 * (kernel/trap.c names them), each made with TRAPHANDLER where the CPU
 * pushes an error code and TRAPHANDLER_NOEC where it does not; then
 * _alltraps, the common part.  On entry to _alltraps the stack holds
 * the trap number and below it what the CPU pushed.  It pushes the rest
 * of the Trapframe in reverse order of its fields (ds, es, then the
 * general registers, with pushal), switches to the kernel's data
 * segments, clears %ebp (a backtrace from the kernel must stop here,
 * not follow the frame pointer a user program left), and calls trap()
 * with a pointer to the frame; trap() never returns.
 */
#if SOL >= 3
TRAPHANDLER_NOEC(trap_divide, T_DIVIDE)
TRAPHANDLER_NOEC(trap_debug, T_DEBUG)
TRAPHANDLER_NOEC(trap_nmi, T_NMI)
TRAPHANDLER_NOEC(trap_brkpt, T_BRKPT)
TRAPHANDLER_NOEC(trap_oflow, T_OFLOW)
TRAPHANDLER_NOEC(trap_bound, T_BOUND)
TRAPHANDLER_NOEC(trap_illop, T_ILLOP)
TRAPHANDLER_NOEC(trap_device, T_DEVICE)
TRAPHANDLER(trap_dblflt, T_DBLFLT)
TRAPHANDLER(trap_tss, T_TSS)
TRAPHANDLER(trap_segnp, T_SEGNP)
TRAPHANDLER(trap_stack, T_STACK)
TRAPHANDLER(trap_gpflt, T_GPFLT)
TRAPHANDLER(trap_pgflt, T_PGFLT)
TRAPHANDLER_NOEC(trap_fperr, T_FPERR)
TRAPHANDLER(trap_align, T_ALIGN)
TRAPHANDLER_NOEC(trap_mchk, T_MCHK)
TRAPHANDLER_NOEC(trap_simderr, T_SIMDERR)
TRAPHANDLER_NOEC(trap_syscall, T_SYSCALL)

/*
 * A stub for every vector 0-255, STUB_SIZE bytes apart, for the gates
 * that have no named entry point above (reserved exceptions, hardware
 * interrupts): each pushes its own vector number, so that even an
 * unexpected trap is reported for what it is.  trap_vectors[] lists
 * their addresses.
 */
#define STUB_SIZE 16
	.balign	STUB_SIZE
trap_stubs:
	.set	vector, 0
	.rept	256
	.if	vector == T_DBLFLT || (vector >= T_TSS && vector <= T_PGFLT) || vector == T_ALIGN
	pushl	$vector		/* the CPU pushed an error code */
	.else
	pushl	$0
	pushl	$vector
	.endif
	jmp	_alltraps
	.org	trap_stubs + STUB_SIZE * (vector + 1), 0xcc
	.set	vector, vector + 1
	.endr

	.data
	.globl	trap_vectors
trap_vectors:
	.set	vector, 0
	.rept	256
	.long	trap_stubs + STUB_SIZE * vector
	.set	vector, vector + 1
	.endr
	.text

/* The common part (its contract is above).  A zero %ebp ends the chain
 * of frames a backtrace follows, which would otherwise go on into
 * whatever memory the user's %ebp names. */
_alltraps:
	pushl	%ds
	pushl	%es
	pushal
	movw	$GD_KD, %ax
	movw	%ax, %ds
	movw	%ax, %es
	xorl	%ebp, %ebp
	pushl	%esp		/* the argument: the Trapframe's address */
	call	trap
	/* trap() never returns. */
1:	jmp	1b
#else
/* LAB 3: Your code here (exercise 4). */
#endif
