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
#include <kernel/trace.h>

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
#if LAB >= 5
	/* From lab 5 on, the keyboard's and serial port's interrupts fill
	 * the buffer (console_interrupt).  Polling here as well would race
	 * the interrupt handler for the same byte. */
	return cons_getc_buffered();
#else
	return cons_getc();
#endif
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

#if LAB >= 4
/*
 * The checks every page call makes on a user address and on a
 * permission: kept in one place so that every call answers the same
 * bad argument with the same error.
 */

/* A user page address: below UTOP and page-aligned. */
static bool
user_page_va_ok(const void *va)
{
	return (uintptr_t) va < UTOP && PGOFF(va) == 0;
}

/* A permission a user may ask for: PTE_U and PTE_P set, and nothing
 * outside PTE_SYSCALL (no PTE_PWT, PTE_PCD, PTE_G...). */
static bool
user_perm_ok(int perm)
{
	return (perm & (PTE_U | PTE_P)) == (PTE_U | PTE_P) &&
	       (perm & ~PTE_SYSCALL) == 0;
}

/* What a lab 4 stub says and returns: an error, never a hang. */
static int __attribute__((unused))
not_implemented(const char *call, int exercise)
{
	cprintf("%s: not implemented (lab 4, exercise %d)\n", call, exercise);
	return -E_NOT_SUPP;
}

/*
 * sys_exofork: create a child environment, a blank slate (lab 4,
 * exercise 7).
 *
 * The child has an address space with nothing below UTOP, is
 * ENV_NOT_RUNNABLE (its parent must give it memory and then mark it
 * runnable), and has the parent's registers, so that it "returns" from
 * this same system call - but with 0 in eax, so that it can tell that
 * it is the child.  The parent gets the child's envid.
 *
 * Returns the child's envid, or -E_NO_FREE_ENV / -E_NO_MEM (env_alloc).
 *
 * Hint: env_alloc(&e, curenv->env_id); the parent's registers are in
 * curenv->env_tf (trap() saved them there).  Change a status only with
 * env_set_status(), which keeps the scheduler's list of runnable
 * environments up to date (kernel/sched.c).
 */
static envid_t
sys_exofork(void)
{
#if SOL >= 4
	struct Env *e;
	int r;

	if ((r = env_alloc(&e, curenv->env_id)) < 0)
		return r;
	env_set_status(e, ENV_NOT_RUNNABLE);
	e->env_tf = curenv->env_tf;
	e->env_tf.tf_regs.reg_eax = 0;
	return e->env_id;
#else
	/* LAB 4: Your code here (exercise 7). */
	return not_implemented("sys_exofork", 7);
#endif
}

/*
 * sys_env_set_status: make envid (the caller or its child)
 * ENV_RUNNABLE or ENV_NOT_RUNNABLE (lab 4, exercise 7).
 *
 * Returns 0; -E_BAD_ENV if envid is not the caller or its child
 * (checked first, as in every call); -E_INVAL for any other status.
 *
 * An environment that is running (on this CPU or another) stays
 * ENV_RUNNING when asked to be runnable: marking it ENV_RUNNABLE would
 * let a second CPU's scheduler run it at the same time.
 */
static int
sys_env_set_status(envid_t envid, int status)
{
#if SOL >= 4
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (status != ENV_RUNNABLE && status != ENV_NOT_RUNNABLE)
		return -E_INVAL;
	if (e->env_status == ENV_DYING)
		return -E_BAD_ENV;
	if (e->env_status == ENV_RUNNING && status == ENV_RUNNABLE)
		return 0;
	env_set_status(e, status);
	return 0;
#else
	/* LAB 4: Your code here (exercise 7). */
	return not_implemented("sys_env_set_status", 7);
#endif
}

/*
 * sys_env_set_trapframe: set envid's registers to a copy of *tf (the
 * caller's memory).  lab 5's spawn uses it to start a child at its
 * entry point with its own stack.
 *
 * Whatever tf says, the environment must stay a user environment: the
 * kernel forces its segments to the user segments (CPL 3), turns
 * interrupts on, and keeps its I/O privilege level (0 for every
 * environment, except that lab 5's file server gets IOPL 3 when it is
 * created); of the other flags only the arithmetic ones, TF, DF, AC and
 * ID pass (never VM or NT: a vm86 or nested-task return would escape
 * the user segments).
 *
 * Returns 0; -E_BAD_ENV if envid is not the caller or its child;
 * -E_FAULT if the caller may not read all of *tf.
 */
static int
sys_env_set_trapframe(envid_t envid, struct Trapframe *tf)
{
	const uint32_t user_flags = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF |
				    FL_TF | FL_DF | FL_OF | FL_AC | FL_ID;
	struct Env *e;
	uint32_t iopl;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (user_mem_check(curenv, tf, sizeof(*tf), PTE_U) < 0)
		return -E_FAULT;
	iopl = e->env_tf.tf_eflags & FL_IOPL_MASK;
	e->env_tf = *tf;
	e->env_tf.tf_cs = GD_UT | 3;
	e->env_tf.tf_ds = e->env_tf.tf_es = e->env_tf.tf_ss = GD_UD | 3;
	e->env_tf.tf_eflags = (tf->tf_eflags & user_flags) | FL_IF | iopl | 0x2;
	return 0;
}

/*
 * sys_env_set_pgfault_upcall: where envid's page faults go (lab 4,
 * exercise 8).  When envid faults, the kernel pushes a UTrapframe on
 * its exception stack and runs `upcall` there (kernel/trap.c,
 * page_fault_handler).  The address is not checked here: a bad one
 * destroys the environment at its next fault.
 *
 * Returns 0, or -E_BAD_ENV if envid is not the caller or its child.
 */
static int
sys_env_set_pgfault_upcall(envid_t envid, void *upcall)
{
#if SOL >= 4
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	e->env_pgfault_upcall = upcall;
	return 0;
#else
	/* LAB 4: Your code here (exercise 8). */
	return not_implemented("sys_env_set_pgfault_upcall", 8);
#endif
}

/*
 * sys_page_alloc: map a new, zeroed page at va in envid's address
 * space, with permissions perm (lab 4, exercise 7).  A page already
 * mapped at va is unmapped first (page_insert does it).
 *
 * Returns 0, or:
 *   -E_BAD_ENV  envid is not the caller or its child;
 *   -E_INVAL    va >= UTOP or not page-aligned; perm lacks PTE_U or
 *               PTE_P, or has a bit outside PTE_SYSCALL;
 *   -E_NO_MEM   no page, or no page table for it.
 * On an error nothing is allocated: a page allocated for a mapping
 * that fails goes back to the free list.
 */
static int
sys_page_alloc(envid_t envid, void *va, int perm)
{
#if SOL >= 4
	struct Env *e;
	struct PageInfo *page;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (!user_page_va_ok(va) || !user_perm_ok(perm))
		return -E_INVAL;
	if ((page = page_alloc(ALLOC_ZERO)) == NULL)
		return -E_NO_MEM;
	if ((r = page_insert(e->env_pgdir, page, va, perm)) < 0) {
		page_free(page);
		return r;
	}
	return 0;
#else
	/* LAB 4: Your code here (exercise 7). */
	return not_implemented("sys_page_alloc", 7);
#endif
}

/*
 * sys_page_map: map the page that srcva maps in srcenvid's address
 * space at dstva in dstenvid's, with permissions perm (lab 4,
 * exercise 7).  Both environments must be the caller or its children.
 *
 * Returns 0, or:
 *   -E_BAD_ENV  either environment is not the caller or its child;
 *   -E_INVAL    srcva or dstva >= UTOP or not page-aligned; perm as in
 *               sys_page_alloc; nothing mapped at srcva; perm has
 *               PTE_W but srcva is read-only;
 *   -E_NO_MEM   no page table for dstva.
 *
 * Hint: page_lookup gives the page and its PTE; page_insert maps it.
 * The PTE_W rule is what keeps copy-on-write honest: a child cannot
 * make writable what its parent mapped read-only.
 */
static int
sys_page_map(envid_t srcenvid, void *srcva, envid_t dstenvid, void *dstva,
	     int perm)
{
#if SOL >= 4
	struct Env *src, *dst;
	struct PageInfo *page;
	pte_t *pte;
	int r;

	if ((r = envid2env(srcenvid, &src, 1)) < 0 ||
	    (r = envid2env(dstenvid, &dst, 1)) < 0)
		return r;
	if (!user_page_va_ok(srcva) || !user_page_va_ok(dstva) ||
	    !user_perm_ok(perm))
		return -E_INVAL;
	if ((page = page_lookup(src->env_pgdir, srcva, &pte)) == NULL)
		return -E_INVAL;
	if ((perm & PTE_W) && !(*pte & PTE_W))
		return -E_INVAL;
	return page_insert(dst->env_pgdir, page, dstva, perm);
#else
	/* LAB 4: Your code here (exercise 7). */
	return not_implemented("sys_page_map", 7);
#endif
}

/*
 * sys_page_unmap: unmap the page at va in envid's address space (lab 4,
 * exercise 7).  Unmapping where nothing is mapped succeeds.
 *
 * Returns 0; -E_BAD_ENV if envid is not the caller or its child;
 * -E_INVAL if va >= UTOP or is not page-aligned.
 */
static int
sys_page_unmap(envid_t envid, void *va)
{
#if SOL >= 4
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (!user_page_va_ok(va))
		return -E_INVAL;
	page_remove(e->env_pgdir, va);
	return 0;
#else
	/* LAB 4: Your code here (exercise 7). */
	return not_implemented("sys_page_unmap", 7);
#endif
}

/*
 * sys_yield: give the CPU to another environment (sched_yield); the
 * caller runs again later, returning from this call.
 */
static void
sys_yield(void)
{
	curenv->env_tf.tf_regs.reg_eax = 0; /* what the call returns */
	sched_yield();
}

/*
 * ipc_deliver: the sending half of every IPC call (lab 4, exercise 15).
 * Delivers `value` (and, if srcva < UTOP, the page mapped there, with
 * permissions perm) from the caller to environment `to`, which any
 * environment may name, so that its receive call returns 0 when it
 * runs again.  The page is mapped only if `to` asked for one
 * (env_ipc_dstva < UTOP); env_ipc_perm tells `to` whether it got one
 * (perm) or not (0).  On success *receiver is `to`'s Env, still
 * ENV_NOT_RUNNABLE: the caller wakes it (sys_ipc_try_send makes it
 * runnable, sys_ipc_send_recv runs it at once).
 *
 * The checks, in this order (each error leaves both environments as
 * they were):
 *   -E_BAD_ENV       no environment `to`;
 *   -E_INVAL         srcva < UTOP and misaligned, or not mapped in the
 *                    caller, or perm invalid (as sys_page_alloc), or
 *                    perm has PTE_W and srcva is read-only;
 *   -E_IPC_NOT_RECV  `to` is not blocked receiving, or waits in
 *                    ipc_call for a reply from someone else;
 *   -E_NO_MEM        no page table in `to` for its dstva.
 *
 * (always_inline, like ipc_wait: every IPC call runs both, and their
 * calls and returns were a tenth of a combined round trip.)
 */
static inline __attribute__((always_inline)) int
ipc_deliver(envid_t to, uint32_t value, void *srcva, int perm,
	    struct Env **receiver)
{
#if SOL >= 4
	struct Env *e;
	struct PageInfo *page = NULL;
	pte_t *pte;
	int r;

	if ((r = envid2env(to, &e, 0)) < 0)
		return r;
	if ((uintptr_t) srcva < UTOP) {
		if (PGOFF(srcva) != 0 || !user_perm_ok(perm))
			return -E_INVAL;
		if ((page = page_lookup(curenv->env_pgdir, srcva, &pte)) ==
		    NULL)
			return -E_INVAL;
		if ((perm & PTE_W) && !(*pte & PTE_W))
			return -E_INVAL;
	}
	if (!e->env_ipc_recving || (e->env_ipc_recv_from != 0 &&
				    e->env_ipc_recv_from != curenv->env_id))
		return -E_IPC_NOT_RECV;
	if (page != NULL && (uintptr_t) e->env_ipc_dstva < UTOP) {
		if ((r = page_insert(e->env_pgdir, page, e->env_ipc_dstva,
				     perm)) < 0)
			return r;
		e->env_ipc_perm = perm;
	} else {
		e->env_ipc_perm = 0;
	}
	e->env_ipc_recving = false;
	e->env_ipc_from = curenv->env_id;
	e->env_ipc_value = value;
	if (trace_mask & TRACE_IPC)
		trace_ipc_wake(e);
	e->env_tf.tf_regs.reg_eax = 0; /* its sys_ipc_recv returns 0 */
	*receiver = e;
	return 0;
#else
	/* LAB 4: Your code here (exercise 15). */
	return not_implemented("ipc_deliver", 15);
#endif
}

/*
 * sys_ipc_try_send: send to `to` if it is waiting (ipc_deliver has the
 * rules and errors) and make it runnable; never blocks.  The caller
 * keeps running.
 */
static int
sys_ipc_try_send(envid_t to, uint32_t value, void *srcva, int perm)
{
	struct Env *receiver;
	int r;

	if ((r = ipc_deliver(to, value, srcva, perm, &receiver)) < 0)
		return r;
	env_set_status(receiver, ENV_RUNNABLE);
	return 0;
}

/*
 * ipc_wait: block the caller until a message arrives (lab 4, exercise
 * 15).  dstva < UTOP asks for a page there (it must be page-aligned);
 * dstva >= UTOP means "no page".  from_only, if not 0, is the one
 * sender accepted (ipc_call's reply).  Returns -E_INVAL for a
 * misaligned dstva; else marks the caller receiving and returns 0: the
 * caller must then block it (ENV_NOT_RUNNABLE) and give up the CPU.
 * Its system call returns 0 when a sender wakes it (ipc_deliver).
 */
static inline __attribute__((always_inline)) int
ipc_wait(void *dstva, envid_t from_only)
{
#if SOL >= 4
	if ((uintptr_t) dstva < UTOP && PGOFF(dstva) != 0)
		return -E_INVAL;
	curenv->env_ipc_recving = true;
	curenv->env_ipc_dstva = dstva;
	curenv->env_ipc_recv_from = from_only;
	return 0;
#else
	/* LAB 4: Your code here (exercise 15). */
	return not_implemented("ipc_wait", 15);
#endif
}

/*
 * sys_ipc_recv: wait for a message (ipc_wait); the page, if any, goes
 * to dstva.  Returns -E_INVAL at once for a misaligned dstva < UTOP;
 * otherwise returns (0) only when a message has arrived.
 */
static int
sys_ipc_recv(void *dstva)
{
	int r;

	if ((r = ipc_wait(dstva, 0)) < 0)
		return r;
	env_set_status(curenv, ENV_NOT_RUNNABLE);
	sched_yield();
}

/*
 * sys_ipc_send_recv: ExoLab's combined IPC calls, ipc_call (closed:
 * the reply must come from `to`) and ipc_reply_recv (open: from
 * anyone).  It checks dstva first, so that an error means nothing
 * happened; then sends (ipc_deliver), waits (ipc_wait), and hands the
 * CPU straight to the receiver (sched_handoff, which also blocks the
 * caller) instead of going through the scheduler: `to` was waiting for
 * exactly this message, and running it now is what makes a round trip
 * two kernel entries instead of four.
 */
static int
sys_ipc_send_recv(envid_t to, uint32_t value, void *srcva, int perm,
		  void *dstva, bool closed)
{
#if SOL >= 4
	struct Env *receiver;
	int r;

	if ((uintptr_t) dstva < UTOP && PGOFF(dstva) != 0)
		return -E_INVAL;
	if ((r = ipc_deliver(to, value, srcva, perm, &receiver)) < 0)
		return r;
	ipc_wait(dstva, closed ? receiver->env_id : 0);
	sched_handoff(receiver);
#else
	/* LAB 4: Your code here (exercise 16). */
	return not_implemented("sys_ipc_send_recv", 16);
#endif
}
#endif /* LAB >= 4 */

/*
 * syscall: dispatch system call number `num` with its arguments to the
 * function above that implements it, and return its result (lab 3,
 * exercise 7).  An unknown number returns -E_INVAL.
 *
 * Hint: the arguments arrive as uint32_t; cast each to the type its
 * function takes.
 */
#if LAB >= 4
/*
 * From lab 4 on, it dispatches every call of kernel/inc/syscall.h (lab 4,
 * exercise 7): add a case for each lab 4 call to your switch, the given
 * ones (sys_yield, sys_env_set_trapframe, sys_ipc_try_send, sys_ipc_recv)
 * included.  SYS_ipc_call and SYS_ipc_reply_recv both go to
 * sys_ipc_send_recv, with closed = (num == SYS_ipc_call).
 */
#endif
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
#if SOL >= 4
	case SYS_page_alloc:
		return sys_page_alloc((envid_t) a1, (void *) a2, (int) a3);
	case SYS_page_map:
		return sys_page_map((envid_t) a1, (void *) a2, (envid_t) a3,
				    (void *) a4, (int) a5);
	case SYS_page_unmap:
		return sys_page_unmap((envid_t) a1, (void *) a2);
	case SYS_exofork:
		return sys_exofork();
	case SYS_env_set_status:
		return sys_env_set_status((envid_t) a1, (int) a2);
	case SYS_env_set_trapframe:
		return sys_env_set_trapframe((envid_t) a1,
					     (struct Trapframe *) a2);
	case SYS_env_set_pgfault_upcall:
		return sys_env_set_pgfault_upcall((envid_t) a1, (void *) a2);
	case SYS_yield:
		sys_yield();
		return 0;
	case SYS_ipc_try_send:
		return sys_ipc_try_send((envid_t) a1, a2, (void *) a3,
					(int) a4);
	case SYS_ipc_recv:
		return sys_ipc_recv((void *) a1);
	case SYS_ipc_call:
	case SYS_ipc_reply_recv:
		return sys_ipc_send_recv((envid_t) a1, a2, (void *) a3,
					 (int) a4, (void *) a5,
					 num == SYS_ipc_call);
#endif
	default:
		return -E_INVAL;
	}
#else
	/* LAB 3: Your code here (exercise 7). */
	panic("syscall: not implemented (lab 3, exercise 7)");
#endif
}
