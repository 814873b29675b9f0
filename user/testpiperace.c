/*
 * testpiperace [rounds] | testpiperace order [closes]: pipeisclosed
 * must never say "closed" while someone still holds the other end,
 * however its counts move.  A child, the checker of user/piperace.h,
 * watches the read end while the parent, which holds the write end,
 * keeps duplicating and closing the read end (each dup and close is two
 * page mappings, seen half done by a careless check).
 *
 * Without "order", run it on two CPUs for real concurrency: the parent
 * makes `rounds` dups and closes (2000).  With "order", on one CPU, the
 * checker also checks the order of the mappings (the buffer mapped
 * first, unmapped last), and the parent goes on until the checker has
 * caught `closes` (5) closes half done, each a chance to see a close
 * that unmaps in the wrong order.
 */
#include "piperace.h"

/* In order mode, the parent gives up once the checker has taken this
 * many samples (one per timer tick, roughly) without catching enough
 * closes half done: some 6% of the samples do. */
#define ORDER_MAX_SAMPLES 2000

void
umain(int argc, char **argv)
{
	bool order = argc > 1 && strcmp(argv[1], "order") == 0;
	int rounds = 2000, want = 5;
	int p[2], r, i;
	envid_t checker;

	if (order && argc > 2)
		want = strtol(argv[2], NULL, 10);
	else if (!order && argc > 1)
		rounds = strtol(argv[1], NULL, 10);
	checker = race_start(p, order);
	for (i = 0; order ? RACE_BOARD->half_closes < want : i < rounds; i++) {
		if (order && RACE_BOARD->samples >= ORDER_MAX_SAMPLES) {
			cprintf("testpiperace: the checker caught only %d "
				"closes half done in %d samples\n",
				RACE_BOARD->half_closes, RACE_BOARD->samples);
			break;
		}
		if ((r = dup(p[0], 10)) < 0)
			panic("dup: %e", r);
		RACE_BOARD->phase = MOVER_CLOSING;
		if ((r = close(10)) < 0)
			panic("close: %e", r);
		RACE_BOARD->phase = MOVER_OTHER;
		if (!order && i % 64 == 0)
			sys_yield();
	}
	race_finish(p, checker);
	cprintf("testpiperace: %d rounds done\n", i);
}
