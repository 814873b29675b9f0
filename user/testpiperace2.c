/*
 * testpiperace2 [forks] | testpiperace2 order [forks]: the same checks
 * as testpiperace (user/piperace.h), against fork, spawn and exit
 * instead of dup and close: while the checker watches the read end,
 * its parent (holding the write end) forks children and spawns copies
 * of itself, each of which gets both descriptors and the pipe's buffer,
 * one mapping at a time, and closes them all when it exits.  Without
 * "order", run it on two CPUs; with "order", on one (see piperace.h).
 */
#include "piperace.h"

void
umain(int argc, char **argv)
{
	bool order = argc > 1 && strcmp(argv[1], "order") == 0;
	int forks = 100;
	int p[2];
	envid_t checker, id;

	if (argc > 2 && strcmp(argv[2], "exit") == 0) {
		/* A spawned copy: just exit (closing what it was given). */
		RACE_BOARD->phase = MOVER_CLOSING;
		return;
	}
	if (argc > 1 + order)
		forks = strtol(argv[1 + order], NULL, 10);
	checker = race_start(p, order);
	for (int i = 0; i < forks; i++) {
		if (i % 4 == 3)
			id = spawnl(argv[0], argv[0], "0", "exit",
				    (const char *) NULL);
		else if ((id = fork()) == 0) {
			RACE_BOARD->phase = MOVER_CLOSING;
			exit();
		}
		if (id < 0)
			panic("fork/spawn: %e", id);
		wait(id);
		RACE_BOARD->phase = MOVER_OTHER;
	}
	race_finish(p, checker);
	cprintf("testpiperace2: %d forks and spawns done\n", forks);
}
