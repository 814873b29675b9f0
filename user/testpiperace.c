/*
 * testpiperace [rounds]: pipeisclosed must never say "closed" while
 * someone still holds the other end, however its counts move.  A child
 * checks the read end over and over while the parent, which holds the
 * write end, keeps duplicating and closing the read end (each dup and
 * close is two page mappings, seen half done by a careless check).
 * Run it on two CPUs for real concurrency.
 */
#include <inc/lib.h>

#define FLAG_VA ((volatile int *) 0xA0000000)

void
umain(int argc, char **argv)
{
	int rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
	int p[2], r;
	envid_t checker;

	/* A shared page: the parent's "stop" to the checker. */
	if ((r = sys_page_alloc(0, (void *) FLAG_VA,
				PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		panic("sys_page_alloc: %e", r);
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((checker = fork()) < 0)
		panic("fork: %e", checker);
	if (checker == 0) {
		long checks = 0;
		close(p[1]); /* the parent's copy keeps it open */
		while (*FLAG_VA == 0) {
			/* The parent raises the flag before it closes: a
			 * close seen with the flag still down is false. */
			if (pipeisclosed(p[0]) && *FLAG_VA == 0)
				panic("RACE: the pipe looked closed after %ld "
				      "checks",
				      checks);
			checks++;
		}
		cprintf("checker: no false close in %ld checks\n", checks);
		/* Now the writer closes for real: that must be seen. */
		while (!pipeisclosed(p[0]))
			sys_yield();
		cprintf("checker: saw the real close\n");
		exit();
	}
	for (int i = 0; i < rounds; i++) {
		if ((r = dup(p[0], 10)) < 0)
			panic("dup: %e", r);
		if ((r = close(10)) < 0)
			panic("close: %e", r);
		if (i % 64 == 0)
			sys_yield();
	}
	*FLAG_VA = 1;
	close(p[1]);
	close(p[0]);
	wait(checker);
	cprintf("testpiperace: %d rounds done\n", rounds);
}
