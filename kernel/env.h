/*
 * Environments, kernel side (kernel/env.c).  inc/env.h has the parts
 * user programs see too.
 */
#ifndef KERNEL_ENV_H
#define KERNEL_ENV_H

#include <inc/env.h>

extern struct Env *envs; /* all environments, mapped at UENVS */
#if LAB >= 4
/* The environment this CPU runs now, or NULL: each CPU has its own. */
#include <kernel/cpu.h>
#define curenv (thiscpu->cpu_env)
/* Changes e->env_status: the way to, since it also keeps the
 * scheduler's run ring (kernel/sched.c, which lists the exceptions). */
void env_set_status(struct Env *e, unsigned status);
/* e is still loaded on another CPU: made not runnable while it ran
 * there, it runs on until its next trap, so no other CPU may run it. */
static inline bool
env_loaded_elsewhere(struct Env *e)
{
	return e->env_cpunum >= 0 && cpus[e->env_cpunum].cpu_env == e &&
	       e->env_cpunum != cpunum();
}
#else
extern struct Env *curenv; /* the environment running now, or NULL */
#endif

void env_init(void);
int env_alloc(struct Env **e, envid_t parent_id);
void env_free(struct Env *e);
int env_create(const char *name, const uint8_t *binary, size_t size,
	       enum EnvType type);
void env_destroy(struct Env *e); /* does not return if e == curenv */

int envid2env_lookup(envid_t envid, struct Env **env_store, bool checkperm);
/*
 * envid2env: the Env an envid names (0: the caller), kernel/env.c
 * has the rest of its contract.  Most system calls name the caller
 * itself, as 0: that case is inline (no call, no table lookup); other
 * ids go to envid2env_lookup.
 */
static inline int
envid2env(envid_t envid, struct Env **env_store, bool checkperm)
{
	if (envid == 0) {
		*env_store = curenv;
		return 0;
	}
	return envid2env_lookup(envid, env_store, checkperm);
}
/* Both never return: they hand the CPU to the environment. */
void env_run(struct Env *e) __attribute__((noreturn));
void env_pop_tf(struct Trapframe *tf) __attribute__((noreturn));

#endif /* !KERNEL_ENV_H */
