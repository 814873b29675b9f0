/* wait: until an environment has exited. */
#include <inc/lib.h>

/*
 * Waits until environment envid no longer exists (its slot in envs[]
 * is free, or holds a newer environment), giving the CPU away while it
 * waits.  envs[] is the kernel's, read-only: no system call is needed
 * to look.  An envid that names no one returns at once.
 */
void
wait(envid_t envid)
{
	const volatile struct Env *e;

	if (envid <= 0)
		return;
	e = &envs[ENVX(envid)];
	while (e->env_id == envid && e->env_status != ENV_FREE)
		sys_yield();
}
