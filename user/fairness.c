/*
 * fairness: run as `run=fairness*2`.  The first environment receives
 * forever; the second sends to it forever.  Each message needs the
 * scheduler to run the receiver between two sends, so the lines show
 * that both keep getting the CPU.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t me = sys_getenvid(), from;

	if (ENVX(me) == 0) {
		for (;;) {
			ipc_recv(&from, NULL, NULL);
			cprintf("%x recv from %x\n", me, from);
		}
	}
	cprintf("%x loop sending to %x\n", me, envs[0].env_id);
	for (;;)
		ipc_send(envs[0].env_id, 0, NULL, 0);
}
