/*
 * faultalloc: a handler that allocates the page that faulted and
 * writes into it, demand paging in user space.  The second address is
 * 2 bytes below a page boundary: the handler's own write into the new
 * page runs past its end and faults again, a nested fault that the
 * kernel must push below the first one on the exception stack.
 */
#include <inc/lib.h>

static void
handler(struct UTrapframe *utf)
{
	void *va = (void *) utf->utf_fault_va;
	int r;

	cprintf("fault %08x\n", (uintptr_t) va);
	if ((r = sys_page_alloc(0, ROUNDDOWN(va, PGSIZE),
				PTE_P | PTE_U | PTE_W)) < 0)
		panic("allocating at %08x in the page fault handler: %e",
		      (uintptr_t) va, r);
	snprintf((char *) va, 100, "this string was faulted in at %08x",
		 (uintptr_t) va);
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(handler);
	cprintf("%s\n", (char *) 0xDeadBeef);
	cprintf("%s\n", (char *) 0xCafeBffe);
}
