/*
 * pingpong: two environments bounce a counter back and forth with
 * ipc_send and ipc_recv, each adding one, until it reaches 10.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t who;

	if ((who = fork()) < 0)
		panic("fork: %e", who);
	if (who != 0) {
		/* The parent serves first. */
		cprintf("send 0 from %x to %x\n", sys_getenvid(), who);
		ipc_send(who, 0, NULL, 0);
	}
	for (;;) {
		uint32_t i = ipc_recv(&who, NULL, NULL);
		cprintf("%x got %d from %x\n", sys_getenvid(), i, who);
		if (i == 10)
			return;
		ipc_send(who, i + 1, NULL, 0);
		if (i + 1 == 10)
			return;
	}
}
