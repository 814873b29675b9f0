/*
 * forkexit[:N]: fork a child that exits at once, wait until it is
 * gone, and again, N times (default CYCLES).  Every page and every environment
 * slot must come back: at the end all slots but ours are free, and the kernel
 * monitor's `pages` shows as many free pages as after a boot that ran
 * nothing (lab4/test_lab4.py compares them).
 */
#include <inc/lib.h>

#define CYCLES 10000

void
umain(int argc, char **argv)
{
	int cycles = argc > 1 ? strtol(argv[1], NULL, 10) : CYCLES;
	int free_slots = 0;
	envid_t child;

	for (int i = 0; i < cycles; i++) {
		if ((child = fork()) < 0)
			panic("fork %d: %e", i, child);
		if (child == 0)
			exit();
		/* Wait for the child to be freed: its slot changes id. */
		while (envs[ENVX(child)].env_id == child &&
		       envs[ENVX(child)].env_status != ENV_FREE)
			sys_yield();
	}
	for (int i = 0; i < NENV; i++)
		free_slots += envs[i].env_status == ENV_FREE;
	cprintf("forkexit: %d children forked and gone; %d of %d environment "
		"slots free\n",
		cycles, free_slots, NENV);
}
