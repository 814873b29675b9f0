/*
 * yield: give up the CPU a few times with sys_yield, saying each time
 * which environment and CPU this is.  Started three times at once
 * (make run-yield-nox RUN='yield+yield+yield'), the round robin shows:
 * each comes back only after the others have had their turn.
 */
#include <inc/lib.h>

#define ROUNDS 5

void
umain(int argc, char **argv)
{
	cprintf("Hello, I am environment %08x, cpu %d.\n", thisenv->env_id,
		thisenv->env_cpunum);
	for (int i = 0; i < ROUNDS; i++) {
		sys_yield();
		cprintf("Back in environment %08x, iteration %d, cpu %d.\n",
			thisenv->env_id, i, thisenv->env_cpunum);
	}
	cprintf("All done in environment %08x.\n", thisenv->env_id);
}
