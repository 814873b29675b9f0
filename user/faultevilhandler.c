/*
 * faultevilhandler: the upcall points into the kernel.  The kernel
 * must not "return" to its own code at user privilege, let alone at
 * its own: the environment is destroyed.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	sys_page_alloc(0, (void *) (UXSTACKTOP - PGSIZE),
		       PTE_P | PTE_U | PTE_W);
	sys_env_set_pgfault_upcall(0, (void *) 0xF0100020);
	*(volatile int *) 0 = 0;
	cprintf("faultevilhandler: survived a fault with a kernel upcall\n");
}
