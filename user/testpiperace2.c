/*
 * testpiperace2 [forks]: the same check as testpiperace, against fork
 * and spawn instead of dup: while a child checks the read end, its
 * parent (holding the write end) forks children, each of which gets
 * both descriptors and the pipe's buffer, one mapping at a time.
 */
#include <inc/lib.h>

#define FLAG_VA ((volatile int *) 0xA0000000)

void
umain(int argc, char **argv)
{
	int forks = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
	int p[2], r;
	envid_t checker, id;

	if (argc > 2 && strcmp(argv[2], "exit") == 0)
		return; /* a spawned copy: just exit */
	if ((r = sys_page_alloc(0, (void *) FLAG_VA,
				PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		panic("sys_page_alloc: %e", r);
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((checker = fork()) < 0)
		panic("fork: %e", checker);
	if (checker == 0) {
		long checks = 0;
		close(p[1]);
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
		while (!pipeisclosed(p[0]))
			sys_yield();
		cprintf("checker: saw the real close\n");
		exit();
	}
	for (int i = 0; i < forks; i++) {
		if (i % 4 == 3)
			id = spawnl(argv[0], argv[0], "0", "exit",
				    (const char *) NULL);
		else if ((id = fork()) == 0)
			exit();
		if (id < 0)
			panic("fork/spawn: %e", id);
		wait(id);
	}
	*FLAG_VA = 1;
	close(p[1]);
	close(p[0]);
	wait(checker);
	cprintf("testpiperace2: %d forks and spawns done\n", forks);
}
