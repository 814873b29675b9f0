/*
 * forkbomb: a binary tree of environments DEPTH levels deep: more
 * environments than the kernel has slots, and with little memory more
 * than it has pages.  Each environment forks two children; when fork
 * fails, it says why (-E_NO_FREE_ENV or -E_NO_MEM, nothing else is
 * acceptable) and stops forking.  When the tree is as big as it gets,
 * everyone exits.  The kernel must survive and get every page and slot
 * back.
 *
 * Coordination goes through two pages every environment shares
 * (PTE_SHARE: fork leaves them shared): an environment marks itself
 * built (its id in its slot of `built`) when its subtree is complete,
 * counting a child that died (a copy-on-write fault with no memory
 * left kills it) as complete; when the root is built, it sets `done`
 * and all exit.
 */
#include <inc/lib.h>

/* forkbomb[:DEPTH]: 2^(DEPTH+1) - 1 environments, more than NENV. */
#define DEPTH 11
#define BUILT ((volatile envid_t *) 0x00A00000) /* [NENV] */
#define DONE  ((volatile int *) 0x00A01000)

/* Waits until child c is built or gone. */
static void
wait_for(envid_t c)
{
	const volatile struct Env *e = &envs[ENVX(c)];

	while (BUILT[ENVX(c)] != c && e->env_id == c &&
	       e->env_status != ENV_FREE)
		sys_yield();
}

void
umain(int argc, char **argv)
{
	envid_t children[2], child;
	int nchildren, depth = 0, r;
	int max_depth = argc > 1 ? strtol(argv[1], NULL, 10) : DEPTH;

	if ((r = sys_page_alloc(0, (void *) BUILT,
				PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0 ||
	    (r = sys_page_alloc(0, (void *) DONE,
				PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		panic("sys_page_alloc: %e", r);
again:
	nchildren = 0;
	while (nchildren < 2 && depth < max_depth) {
		if ((child = fork()) == 0) {
			depth++;
			goto again;
		}
		if (child < 0) {
			if (child != -E_NO_FREE_ENV && child != -E_NO_MEM)
				cprintf("forkbomb: fork failed with the wrong "
					"error: %e\n",
					child);
			else
				cprintf("forkbomb: fork: %e\n", child);
			break;
		}
		children[nchildren++] = child;
	}
	for (int i = 0; i < nchildren; i++)
		wait_for(children[i]);
	BUILT[ENVX(sys_getenvid())] = sys_getenvid();
	if (depth == 0) {
		cprintf("forkbomb: the tree is complete; everyone exits\n");
		*DONE = 1;
	}
	while (!*DONE)
		sys_yield();
}
