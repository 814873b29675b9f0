/*
 * faultdie: a page fault handler that reports the fault and ends the
 * program.  The kernel must deliver the right address and error code
 * to the handler, on the exception stack.
 */
#include <inc/lib.h>

static void
handler(struct UTrapframe *utf)
{
	uintptr_t esp = (uintptr_t) &utf; /* where the handler runs */

	cprintf("i faulted at va %08x, err %x, on the %s stack\n",
		utf->utf_fault_va, utf->utf_err & 7,
		esp >= UXSTACKTOP - PGSIZE && esp < UXSTACKTOP ? "exception"
							       : "wrong");
	sys_env_destroy(sys_getenvid());
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(handler);
	*(volatile int *) 0xDeadBeef = 0;
}
