/* spawnfaultio: spawns faultio; the kernel must destroy the child, not
 * us or itself. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t id;

	(void) argc;
	cprintf("i am parent environment %08x\n", thisenv->env_id);
	if ((id = spawnl("faultio", "faultio", (const char *) NULL)) < 0)
		panic("spawn(faultio) failed: %e", id);
	wait(id);
	cprintf("%s: child %08x is gone, parent still here\n", argv[0], id);
}
