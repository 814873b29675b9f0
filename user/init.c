/*
 * init: the first program of a booted system (lab 5).  Opens the
 * console as descriptors 0 and 1, which every program it starts
 * inherits, then runs the shell, and runs it again whenever it exits.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	int r;

	(void) argc;
	(void) argv;
	/* The kernel starts us with no descriptors at all. */
	close(0);
	if ((r = opencons()) < 0)
		panic("init: opencons: %e", r);
	if (r != 0)
		panic("init: the console is fd %d, not 0", r);
	if ((r = dup(0, 1)) < 0)
		panic("init: dup: %e", r);

	for (;;) {
		printf("init: starting sh\n");
		envid_t sh = spawnl("sh", "sh", (const char *) NULL);
		if (sh < 0) {
			printf("init: spawn sh: %e\n", sh);
			exit();
		}
		wait(sh);
	}
}
