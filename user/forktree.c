/*
 * forktree: a binary tree of environments, three levels deep.  Each
 * environment is named by its path from the root ('' the root, '0'
 * and '1' its children, '01' ...), prints it with its id, and forks
 * its two children.
 */
#include <inc/lib.h>

#define DEPTH 3

static void forktree(const char *name);

static void
forkchild(const char *parent, char branch)
{
	char name[DEPTH + 1];

	if (strlen(parent) >= DEPTH)
		return;
	snprintf(name, sizeof(name), "%s%c", parent, branch);
	if (fork() == 0) {
		forktree(name);
		exit();
	}
}

static void
forktree(const char *name)
{
	cprintf("%04x: I am '%s'\n", sys_getenvid(), name);
	forkchild(name, '0');
	forkchild(name, '1');
}

void
umain(int argc, char **argv)
{
	forktree("");
}
