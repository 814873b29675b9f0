/*
 * _pgfault_upcall: where the kernel sends this environment's page
 * faults (kernel/trap.c, page_fault_handler).
 *
 * The kernel starts it on the user exception stack with esp pointing at
 * a struct UTrapframe (inc/trap.h):
 *
 *	esp + 48  utf_esp	the stack at the time of the fault
 *	esp + 44  utf_eflags
 *	esp + 40  utf_eip	the faulting instruction
 *	esp +  8  utf_regs	edi esi ebp (oesp) ebx edx ecx eax
 *	esp +  4  utf_err
 *	esp +  0  utf_fault_va
 *
 * It calls the C handler, _pgfault_handler(utf), and then resumes the
 * faulting instruction with every general register, eflags and esp as
 * they were at the fault - without entering the kernel.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>

/* The frame's offsets (checked against inc/trap.h by lib/pgfault.c). */
#define UTF_REGS	8
#define UTF_EIP		40
#define UTF_ESP		48

.text
.globl _pgfault_upcall
_pgfault_upcall:
	/* C code assumes the direction flag clear; the faulting code may
	 * have set it.  (The flags are restored from the frame below.) */
	cld
	pushl	%esp			/* the argument: the UTrapframe */
	movl	_pgfault_handler, %eax
	call	*%eax
	addl	$4, %esp

#if SOL >= 4
	/*
	 * Back to the faulting code.  One instruction cannot restore esp
	 * and eip together from user mode (iret would need a privilege
	 * change, and `jmp *mem` after restoring all registers has no
	 * register left to hold the target).  So: store the trap-time eip
	 * on the trap-time stack, just below its esp, and end with `ret`
	 * on that stack.  Pushing below a stack's top is always allowed;
	 * for a nested fault (the trap-time stack is this exception
	 * stack) the kernel left an empty word there for exactly this.
	 */
	movl	UTF_ESP(%esp), %eax	/* trap-time esp */
	subl	$4, %eax
	movl	UTF_EIP(%esp), %ecx	/* trap-time eip */
	movl	%ecx, (%eax)
	movl	%eax, UTF_ESP(%esp)	/* esp to restore: the new word */

	/* The general registers.  popal skips the saved esp. */
	addl	$UTF_REGS, %esp
	popal

	/* eflags: after this, no instruction that changes a flag (an
	 * add would). */
	addl	$4, %esp		/* skip utf_eip */
	popfl

	/* The trap-time stack, with the eip word on top; return to it. */
	popl	%esp
	ret
#else
	/* LAB 4: Your code here (exercise 10): return to the faulting
	 * instruction with every register and eflags as they were.
	 * Until then the program ends here, saying why
	 * (lib/pgfault.c). */
	call	pfentry_not_implemented
#endif
