/*
 * The monitor's `lockcheck` (lab 4): a deliberate misuse of a spin
 * lock, so that you can watch kernel/spinlock.c's checks stop it and
 * the grader can check their message.  Test code, not the kernel: the
 * build links it in from lab 4 on.
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/monitor.h>
#include <kernel/spinlock.h>

/*
 * Makes one of the two mistakes the checks catch, on a lock of its
 * own: `twice` takes the lock twice, `unheld` releases it without
 * holding it.  Either stops the kernel.
 */
int
mon_lockcheck(int argc, char **argv, struct Trapframe *tf)
{
	static struct spinlock test_lock = SPINLOCK_INIT("test_lock");

	if (argc == 2 && strcmp(argv[1], "twice") == 0) {
		spin_lock(&test_lock);
		spin_lock(&test_lock);
	} else if (argc == 2 && strcmp(argv[1], "unheld") == 0) {
		spin_unlock(&test_lock);
	} else {
		cprintf("usage: lockcheck twice|unheld\n");
	}
	return 0;
}
