/*
 * sforktest: sfork (the shared-memory fork, a lab 4 challenge) shares
 * the data and the heap but not the stack, and each side's thisenv is
 * its own.
 */
#include <inc/lib.h>

static volatile int shared_counter;

void
umain(int argc, char **argv)
{
	volatile int on_stack = 1;
	envid_t child;

	if ((child = sfork()) < 0) {
		cprintf("sforktest: sfork: %e\n", child);
		return;
	}
	if (child == 0) {
		shared_counter = 42;
		on_stack = 2;
		cprintf("sforktest: child: thisenv is %s\n",
			thisenv->env_id == sys_getenvid() ? "mine" : "wrong");
		shared_counter = 43; /* "I am done" */
		return;
	}
	while (shared_counter != 43)
		sys_yield();
	cprintf("sforktest: parent: the global is shared, the stack is %s, "
		"thisenv is %s\n",
		on_stack == 1 ? "private" : "shared",
		thisenv->env_id == sys_getenvid() ? "mine" : "wrong");
}
