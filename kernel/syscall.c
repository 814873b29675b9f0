/*
 * System calls: the exokernel's whole interface to user space.
 *
 * Every argument comes from an untrusted environment.  Pointers are
 * checked against the caller's page tables before the kernel touches
 * them (user_mem_check), envids against the caller's rights
 * (envid2env).  A bad argument is an error return or, where the API
 * says so, the end of the calling environment - never a kernel panic.
 */
#include <inc/x86.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <kernel/env.h>
#include <kernel/pmap.h>
#include <kernel/trap.h>
#include <kernel/syscall.h>
#include <kernel/console.h>
#include <kernel/sched.h>

/*
 * Prints the string s, of len bytes, on the console.  The environment
 * is destroyed if it may not read all of [s, s + len).
 */
static void
sys_cputs(const char *s, size_t len)
{
#if SOL >= 3
	user_mem_assert(curenv, s, len, PTE_U);
#else
	/* LAB 3: Your code here (exercise 10): check the user's pointer. */
#endif
	/* Exactly len bytes, NULs included: the caller's buffer is not a
	 * C string. */
	for (size_t i = 0; i < len; i++)
		cputchar(s[i]);
}

/* A character from the console without waiting; 0 if none. */
static int
sys_cgetc(void)
{
	return cons_getc();
}

static envid_t
sys_getenvid(void)
{
	return curenv->env_id;
}

/*
 * Destroys environment envid: the caller itself or one of its
 * children.  Returns 0, or -E_BAD_ENV.
 */
static int
sys_env_destroy(envid_t envid)
{
	int r;
	struct Env *e;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (e == curenv)
		cprintf("[%08x] exiting gracefully\n", curenv->env_id);
	else
		cprintf("[%08x] destroying %08x\n", curenv->env_id, e->env_id);
	env_destroy(e);
	return 0;
}

/*
 * syscall: dispatch system call number `num` with its arguments to the
 * function above that implements it, and return its result (lab 3,
 * exercise 7).  An unknown number returns -E_INVAL.
 *
 * Hint: the arguments arrive as uint32_t; cast each to the type its
 * function takes.
 */
int32_t
syscall(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
	uint32_t a5)
{
#if SOL >= 3
	switch (num) {
	case SYS_cputs:
		sys_cputs((const char *) a1, (size_t) a2);
		return 0;
	case SYS_cgetc:
		return sys_cgetc();
	case SYS_getenvid:
		return sys_getenvid();
	case SYS_env_destroy:
		return sys_env_destroy((envid_t) a1);
	default:
		return -E_INVAL;
	}
#else
	/* LAB 3: Your code here (exercise 7). */
	panic("syscall: not implemented (lab 3, exercise 7)");
#endif
}
