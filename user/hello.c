/* The first user program: print, say who we are, exit. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	cprintf("hello, world\n");
	cprintf("i am environment %08x\n", thisenv->env_id);
	/* The grader runs hello:N, N picked when it runs: only an id that
	 * came back through the system call path gives the right mix. */
	if (argc > 1) {
		unsigned long n = strtol(argv[1], NULL, 10);
		cprintf("hello: %lu xor my id is %08lx\n", n,
			n ^ sys_getenvid());
	}
}
