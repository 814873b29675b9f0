/*
 * faultnostack: an upcall but no exception stack.  The kernel cannot
 * push the UTrapframe, so it must destroy the environment.
 */
#include <inc/lib.h>

void _pgfault_upcall(void);

void
umain(int argc, char **argv)
{
	sys_env_set_pgfault_upcall(0, (void *) _pgfault_upcall);
	*(volatile int *) 0 = 0;
	cprintf("faultnostack: survived a fault without an exception stack\n");
}
