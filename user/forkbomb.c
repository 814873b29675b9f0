/*
 * forkbomb: every environment forks as fast as it can, and so do its
 * children, until fork fails.  Each environment that sees fork fail
 * says why (-E_NO_FREE_ENV or -E_NO_MEM, nothing else) and exits.  The
 * kernel must survive it and get every page and slot back.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t child;
	int forks = 0;

	for (;;) {
		if ((child = fork()) == 0) {
			forks = 0;
			continue;
		}
		if (child < 0)
			break;
		forks++;
	}
	if (child != -E_NO_FREE_ENV && child != -E_NO_MEM)
		cprintf("forkbomb: fork failed with the wrong error: %e\n", child);
	else
		cprintf("forkbomb: %x: fork: %e\n", sys_getenvid(), child);
}
