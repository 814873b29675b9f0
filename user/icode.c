/*
 * icode: the shape of a real boot, by hand.  Prints motd from the file
 * system, then spawns init, which starts the shell.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	char buf[256];
	int fd, n;
	envid_t id;

	(void) argc;
	(void) argv;
	binaryname = "icode";
	cprintf("icode startup\n");
	if ((fd = open("motd", O_RDONLY)) < 0)
		panic("icode: open motd: %e", fd);
	cprintf("icode: read motd\n");
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0)
		sys_cputs(buf, n);
	close(fd);
	cprintf("icode: spawn init\n");
	if ((id = spawnl("init", "init", "initarg1", "initarg2",
			 (const char *) NULL)) < 0)
		panic("icode: spawn init: %e", id);
	cprintf("icode: exiting\n");
}
