/*
 * Environments: the exokernel's processes.  The kernel keeps them in
 * envs[], which user programs can read (not write) at UENVS.
 */
#ifndef INC_ENV_H
#define INC_ENV_H

#include <inc/types.h>
#include <inc/trap.h>
#include <inc/memlayout.h>

typedef int32_t envid_t;

/*
 * An environment id is three fields:
 *
 *  31 30                    12 11 10 9           0
 * +--+------------------------+-----+-------------+
 * |0 |       generation       | 0 0 |  env index  |
 * +--+------------------------+-----+-------------+
 *                                    \- ENVX(id) -/
 *
 * The index selects the slot in envs[].  The generation tells apart
 * environments that used the same slot at different times, so that a
 * stale id never reaches a new environment.  Ids are positive: 0 means
 * "the calling environment" to system calls, and the sign bit flags
 * errors.
 */
#define LOG2NENV    10
#define NENV	    (1 << LOG2NENV)
#define ENVX(envid) ((envid) & (NENV - 1))
#define ENVGENSHIFT 12 /* >= LOG2NENV */

/* env_status values. */
enum {
	ENV_FREE = 0,	 /* the slot is unused */
	ENV_DYING,	 /* destroyed while running on another CPU */
	ENV_RUNNABLE,	 /* ready to run */
	ENV_RUNNING,	 /* running on a CPU now */
	ENV_NOT_RUNNABLE /* alive but waiting (IPC, a fork child) */
};

/* Special environment types. */
enum EnvType {
	ENV_TYPE_USER = 0,
	ENV_TYPE_FS, /* the file server (lab 5) */
};

struct Env {
	struct Trapframe env_tf; /* saved registers */
	struct Env *env_link;	 /* next free Env (kernel use) */
	envid_t env_id;		 /* unique environment identifier */
	envid_t env_parent_id;	 /* env_id of this env's parent */
	enum EnvType env_type;	 /* special system environments */
	unsigned env_status;	 /* ENV_FREE, ENV_RUNNABLE, ... */
	uint32_t env_runs;	 /* times this env has been run */
	int env_cpunum;		 /* the CPU it runs on (lab 4) */

	/* Address space */
	pde_t *env_pgdir; /* kernel virtual address of page dir */

	/* Exception handling (lab 4) */
	void *env_pgfault_upcall; /* page fault upcall entry point */

	/* IPC (lab 4) */
	bool env_ipc_recving;	   /* blocked in sys_ipc_recv */
	void *env_ipc_dstva;	   /* where to map a received page */
	uint32_t env_ipc_value;	   /* value sent to us */
	envid_t env_ipc_from;	   /* envid of the sender */
	int env_ipc_perm;	   /* perm of the page mapping received */
	envid_t env_ipc_recv_from; /* in ipc_call: the only sender
				    * accepted (0: anyone) */
#if LAB >= 4
	/* The scheduler's run ring (kernel/sched.c): the environments
	 * that are ENV_RUNNABLE, ENV_RUNNING or ENV_DYING. */
	struct Env *env_sched_next;
	struct Env *env_sched_prev;
#endif
};

#endif /* !INC_ENV_H */
