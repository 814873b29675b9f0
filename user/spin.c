/*
 * spin: a child that never gives up the CPU, and its parent, which
 * needs the CPU back to destroy it.  Without timer preemption the
 * parent never runs again (on one CPU); with it, the parent yields a
 * few times, letting the child spin, then destroys it.  With several
 * CPUs the child may be running on another CPU when it is destroyed:
 * the kernel marks it dying and frees it at its next trap.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t child;

	cprintf("I am the parent.  Forking the child...\n");
	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		cprintf("I am the child.  Spinning...\n");
		for (;;)
			continue;
	}

	cprintf("I am the parent.  Running the child...\n");
	for (int i = 0; i < 8; i++)
		sys_yield();
	cprintf("I am the parent.  Killing the child...\n");
	sys_env_destroy(child);
}
