/*
 * faultallocbad: the kernel's own accesses to user memory do not go
 * to the page fault handler.  sys_cputs checks its pointer and
 * destroys the caller; the handler must never run.
 */
#include <inc/lib.h>

static void
handler(struct UTrapframe *utf)
{
	cprintf("faultallocbad: the handler ran for va %08x: it must not\n",
		utf->utf_fault_va);
	sys_page_alloc(0, ROUNDDOWN((void *) utf->utf_fault_va, PGSIZE),
		       PTE_P | PTE_U | PTE_W);
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(handler);
	sys_cputs((char *) 0xDEADBEEF, 4);
}
