/* spawnhello: spawns hello from the file system and waits for it. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t id;

	(void) argc;
	cprintf("i am parent environment %08x\n", thisenv->env_id);
	if ((id = spawnl("hello", "hello", (const char *) NULL)) < 0)
		panic("spawn(hello) failed: %e", id);
	wait(id);
	cprintf("%s: child %08x has exited\n", argv[0], id);
}
