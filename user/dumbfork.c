/*
 * dumbfork: fork by copying, with the raw exokernel calls.
 *
 * The parent creates a child with sys_exofork, copies every page of its
 * program and its stack into it (allocating each page in the child,
 * mapping it at UTEMP in the parent to fill it), and marks it runnable.
 * Then parent and child each print a few lines, taking turns with
 * sys_yield: the parent 10 times, the child 20.
 */
#include <inc/lib.h>

/* Gives envid a copy of our page at va. */
static void
copy_page(envid_t envid, void *va)
{
	int r;

	if ((r = sys_page_alloc(envid, va, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_alloc: %e", r);
	if ((r = sys_page_map(envid, va, 0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_map: %e", r);
	memmove(UTEMP, va, PGSIZE);
	if ((r = sys_page_unmap(0, UTEMP)) < 0)
		panic("sys_page_unmap: %e", r);
}

static envid_t
dumbfork(void)
{
	extern unsigned char end[];
	envid_t envid;
	int r;

	if ((envid = sys_exofork()) < 0)
		panic("sys_exofork: %e", envid);
	if (envid == 0) {
		/* The child: our registers, but our own Env. */
		thisenv = &envs[ENVX(sys_getenvid())];
		return 0;
	}
	/* The program, text to bss, and the page of stack we are on. */
	for (uintptr_t va = UTEXT; va < (uintptr_t) end; va += PGSIZE)
		copy_page(envid, (void *) va);
	copy_page(envid, ROUNDDOWN((void *) &envid, PGSIZE));
	if ((r = sys_env_set_status(envid, ENV_RUNNABLE)) < 0)
		panic("sys_env_set_status: %e", r);
	return envid;
}

void
umain(int argc, char **argv)
{
	envid_t who = dumbfork();

	for (int i = 0; i < (who ? 10 : 20); i++) {
		cprintf("%d: I am the %s!\n", i, who ? "parent" : "child");
		sys_yield();
	}
}
