/*
 * Console input and output for user programs, straight through the
 * kernel's console system calls.  (Lab 5 replaces getchar with reads
 * from a console file descriptor.)
 */
#include <inc/lib.h>

void
cputchar(int ch)
{
	char c = ch;

	sys_cputs(&c, 1);
}

int
getchar(void)
{
	int c;

	/* sys_cgetc does not wait: poll, giving the CPU away in between
	 * once there is a scheduler to give it to. */
	while ((c = sys_cgetc()) == 0) {
#if LAB >= 4
		sys_yield();
#endif
	}
	return c;
}

int
iscons(int fd)
{
	(void) fd;
	return 1;
}
