/*
 * spawnbadelf [SEED]: spawn must refuse each broken executable on the
 * disk (the files badelf-*, made by user/mkbadelf.py) with an error,
 * leave nothing behind, and let its caller go on.  The files are found
 * in the root directory and tried in an order SEED shuffles.
 *
 * Round 0 spawns each once and says what spawn returned; it also warms
 * the file server's cache, so that the rounds after it allocate nothing
 * new.  Then an int3 stops the machine in the kernel monitor, where the
 * grader counts the free pages; rounds 1 and 2 spawn every file again,
 * and a second int3 lets it count again: a refused spawn that leaked a
 * page (a half-built child, a descriptor, a UTEMP page) shows as a
 * difference.  Each round ends by spawning hello, which must still
 * work.
 */
#include <inc/lib.h>

#define ROUNDS 3

/* Stop in the kernel monitor (the grader types `pages`, then `c`). */
static void
checkpoint(const char *what)
{
	cprintf("spawnbadelf: checkpoint %s\n", what);
	asm volatile("int3");
}

static void
spawn_good(void)
{
	envid_t id = spawnl("hello", "hello", (const char *) NULL);

	if (id < 0)
		panic("spawn(hello) after the broken ones: %e", id);
	wait(id);
}

/* The names of the broken files in the root directory, shuffled. */
static int
find_broken(char names[][MAXNAMELEN], int max, unsigned seed)
{
	static struct File entry;
	int fd, n = 0;

	if ((fd = open("/", O_RDONLY)) < 0)
		panic("open /: %e", fd);
	while (readn(fd, &entry, sizeof(entry)) == sizeof(entry))
		if (strncmp(entry.f_name, "badelf-", 7) == 0 && n < max)
			strncpy(names[n++], entry.f_name, MAXNAMELEN - 1);
	close(fd);
	for (int i = n - 1; i > 0; i--) {
		char swap[MAXNAMELEN];
		seed = seed * 1103515245 + 12345;
		int j = (seed >> 8) % (i + 1);
		strcpy(swap, names[i]);
		strcpy(names[i], names[j]);
		strcpy(names[j], swap);
	}
	return n;
}

void
umain(int argc, char **argv)
{
	static char names[16][MAXNAMELEN];
	unsigned seed = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
	int n = find_broken(names, 16, seed), refused = 0;

	cprintf("spawnbadelf: %d broken files\n", n);
	for (int round = 0; round < ROUNDS; round++) {
		if (round == 1)
			checkpoint("before");
		for (int i = 0; i < n; i++) {
			const char *args[] = { names[i], NULL };
			envid_t id = spawn(names[i], args);
			if (id >= 0) {
				cprintf("spawnbadelf: %s was spawned as "
					"%08x!\n",
					names[i], id);
				wait(id);
				continue;
			}
			refused++;
			if (round == 0)
				cprintf("spawnbadelf: %s: %e\n", names[i], id);
		}
		spawn_good();
	}
	checkpoint("after");
	cprintf("spawnbadelf: %d spawns refused, the parent goes on\n",
		refused);
}
