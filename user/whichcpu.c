/*
 * whichcpu: which CPUs do environments run on?  The parent forks
 * NCHILD children; each of the NCHILD + 1 environments then works in
 * ROUNDS bursts of busy work, noting the CPU it finds itself on after
 * each (thisenv->env_cpunum, which the kernel sets whenever it enters
 * an environment), and finally prints the set.  With several CPUs the
 * environments run on several at once; the timer moves them around.
 */
#include <inc/lib.h>

#define NCHILD 3
#define ROUNDS 40
#define WORK   1500000

void
umain(int argc, char **argv)
{
	uint32_t seen = 0;
	char list[64];
	int len = 0;
	volatile uint32_t sink = 0;

	for (int i = 0; i < NCHILD; i++) {
		envid_t id = fork();
		if (id < 0)
			panic("fork: %e", id);
		if (id == 0)
			break;
	}
	for (int r = 0; r < ROUNDS; r++) {
		for (int j = 0; j < WORK; j++)
			sink += j;
		seen |= 1 << thisenv->env_cpunum;
	}
	for (int c = 0; c < 32; c++)
		if (seen & (1 << c))
			len += snprintf(list + len, sizeof(list) - len, " %d",
					c);
	cprintf("[%08x] whichcpu: ran on CPU%s%s\n", thisenv->env_id,
		len > 2 ? "s" : "", list);
}
