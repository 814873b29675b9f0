/*
 * testpteshare [word]: a PTE_SHARE page stays shared across fork and
 * spawn.  The parent maps a page with PTE_SHARE; a forked child, then a
 * spawned one, each write into it; the parent must see both writes.
 * Each of the three calls shared_page_here() with the page mapped: the
 * grader stops there (gdb stub) and checks, through each one's page
 * tables, that all three map the same physical page.
 */
#include <inc/lib.h>

#define SHARED_VA ((char *) 0xA0000000)

/* A place for the grader's breakpoint; never inlined away. */
void __attribute__((noinline)) shared_page_here(const char *who)
{
	asm volatile("" : : "r"(who) : "memory");
}

void
umain(int argc, char **argv)
{
	const char *word = argc > 1 ? argv[1] : "shared";
	char expect[64];
	envid_t id;
	int r;

	if (argc > 2 && strcmp(argv[2], "spawned") == 0) {
		/* The spawned child: the page must already be there. */
		snprintf(SHARED_VA, 64, "spawn child wrote %s", word);
		shared_page_here("spawned child");
		return;
	}

	if ((r = sys_page_alloc(0, SHARED_VA,
				PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		panic("sys_page_alloc: %e", r);

	if ((id = fork()) < 0)
		panic("fork: %e", id);
	if (id == 0) {
		snprintf(SHARED_VA, 64, "fork child wrote %s", word);
		shared_page_here("forked child");
		exit();
	}
	wait(id);
	snprintf(expect, sizeof(expect), "fork child wrote %s", word);
	cprintf("fork handles PTE_SHARE %s\n",
		strcmp(SHARED_VA, expect) == 0 ? "right" : "wrong");

	if ((id = spawnl(argv[0], argv[0], word, "spawned",
			 (const char *) NULL)) < 0)
		panic("spawn: %e", id);
	wait(id);
	snprintf(expect, sizeof(expect), "spawn child wrote %s", word);
	cprintf("spawn handles PTE_SHARE %s\n",
		strcmp(SHARED_VA, expect) == 0 ? "right" : "wrong");
	shared_page_here("parent");
	cprintf("testpteshare done\n");
}
