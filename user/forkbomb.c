/*
 * forkbomb: a binary tree of environments DEPTH levels deep: more
 * environments than the kernel has slots.  Each environment forks two
 * children; when fork fails, it says why (-E_NO_FREE_ENV or -E_NO_MEM,
 * nothing else is acceptable) and stops forking.  When the tree is as
 * big as it gets, it is taken down from the root: every environment
 * tells its children to exit and exits.  The kernel must survive and
 * get every page and slot back.
 *
 * Messages: a child tells its parent BUILT when its subtree is
 * complete; a parent tells its children EXIT.
 */
#include <inc/lib.h>

#define DEPTH	11		/* 2^11 leaves: more than NENV */
#define BUILT	1
#define EXIT	2

void
umain(int argc, char **argv)
{
	envid_t children[2], child;
	int nchildren, depth = 0, failures = 0;

again:
	nchildren = 0;
	while (nchildren < 2 && depth < DEPTH) {
		if ((child = fork()) == 0) {
			depth++;
			goto again;
		}
		if (child < 0) {
			if (child != -E_NO_FREE_ENV && child != -E_NO_MEM)
				cprintf("forkbomb: fork failed with the wrong "
					"error: %e\n", child);
			else
				cprintf("forkbomb: fork: %e\n", child);
			failures++;
			break;
		}
		children[nchildren++] = child;
	}
	for (int i = 0; i < nchildren; i++)
		if (ipc_recv(NULL, NULL, NULL) != BUILT)
			panic("forkbomb: expected BUILT");
	if (depth > 0) {
		ipc_send(thisenv->env_parent_id, BUILT, NULL, 0);
		if (ipc_recv(NULL, NULL, NULL) != EXIT)
			panic("forkbomb: expected EXIT");
	} else {
		cprintf("forkbomb: the tree is complete; taking it down\n");
	}
	for (int i = 0; i < nchildren; i++)
		ipc_send(children[i], EXIT, NULL, 0);
	(void) failures;
}
