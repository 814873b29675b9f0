/*
 * stresssched: many environments yielding and counting at once, to
 * catch an environment running on two CPUs.
 *
 * Each of NCHILD children adds 1 to its own counter (a global: after
 * fork every child has its own copy) ROUNDS * COUNT times, yielding
 * between rounds.  If the kernel ever ran one environment on two CPUs
 * at once, both would do the unsynchronised read-add-write on the same
 * counter and lose increments: the total comes out short.
 */
#include <inc/lib.h>

#define NCHILD 20
#define ROUNDS 10
#define COUNT  10000

volatile int counter;

void
umain(int argc, char **argv)
{
	envid_t parent = sys_getenvid();
	envid_t id = 0;
	int i;

	for (i = 0; i < NCHILD; i++)
		if ((id = fork()) <= 0)
			break;
	if (id < 0)
		panic("fork: %e", id);
	if (id > 0) {
		/* The parent: done once the children are on their way. */
		sys_yield();
		return;
	}

	/* A child: wait until the parent has forked them all. */
	while (envs[ENVX(parent)].env_status != ENV_FREE &&
	       envs[ENVX(parent)].env_id == parent)
		sys_yield();

	for (int r = 0; r < ROUNDS; r++) {
		sys_yield();
		for (int j = 0; j < COUNT; j++)
			counter++;
	}
	if (counter != ROUNDS * COUNT)
		panic("ran on two CPUs at once (counter is %d, not %d)",
		      counter, ROUNDS * COUNT);
	cprintf("[%08x] stresssched on CPU %d: counted %d, as expected\n",
		thisenv->env_id, thisenv->env_cpunum, counter);
}
