/*
 * Kernel tracing: with trace=syscall,trap,pgfault,sched,ipc on the
 * kernel command line (make run-hello-nox TRACE=syscall), the kernel
 * prints one line per event, for example
 *
 *   [00001000] sys_cputs("hello, world\n", 13) = 0
 *   [00001000] page fault va 00000000 ip 0080003a [user, read, not-present]
 *   [00001001] timer interrupt at ip 00800c4e: preempted
 *   [00001000] ipc wakes 00001001: value 7, no page
 *
 * A system call's line comes after the call, with its result; a call
 * that may not return to its caller (sys_env_destroy, sys_yield, the
 * receiving IPC calls) gets its line before, ending in "...".  With
 * tracing off, the hooks (trap() in trap.c, sched_yield in sched.c,
 * ipc_deliver in syscall.c) cost a compare and a branch; only trap()'s
 * is on the null system call's path.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/syscall.h>
#include <kernel/bootinfo.h>
#include <kernel/env.h>
#include <kernel/pmap.h>
#include <kernel/trap.h>
#include <kernel/trace.h>

uint32_t trace_mask;

static const struct {
	const char *name;
	uint32_t bit;
} categories[] = {
	{ "syscall", TRACE_SYSCALL }, { "trap", TRACE_TRAP },
	{ "pgfault", TRACE_PGFAULT }, { "sched", TRACE_SCHED },
	{ "ipc", TRACE_IPC },	      { "all", ~0u },
};

void
trace_init(void)
{
	char value[64];
	size_t i;

	if (!boot_option("trace", value, sizeof(value)))
		return;
	/* Each comma-separated word names a category (the last is "all"). */
	for (char *word = value, *next; word != NULL && *word; word = next) {
		if ((next = strchr(word, ',')) != NULL)
			*next++ = '\0';
		for (i = 0; i < ARRAY_SIZE(categories) &&
			    strcmp(word, categories[i].name) != 0;
		     i++)
			;
		if (i < ARRAY_SIZE(categories))
			trace_mask |= categories[i].bit;
		else
			cprintf("trace: unknown category '%s' (known: syscall, "
				"trap, pgfault, sched, ipc, all)\n",
				word);
	}
	cprintf("trace:");
	for (i = 0; i + 1 < ARRAY_SIZE(categories); i++)
		if (trace_mask & categories[i].bit)
			cprintf(" %s", categories[i].name);
	cprintf("\n");
}

/* How to print a system call argument or result. */
enum kind {
	NONE,	/* no argument here / a void result */
	INT,	/* a plain number; a result: 0 or -E_... */
	ENVID,	/* an environment id (0: the caller) */
	VA,	/* a user address */
	PERM,	/* PTE_ bits */
	STATUS, /* ENV_RUNNABLE, ... */
	STRING, /* sys_cputs's buffer; the next argument is its length */
};

/* One row per system call number in inc/syscall.h (lab 4's included,
 * so that the table is ready when they land).  `blocks`: the call may
 * not return to its caller, so its line is printed before it runs. */
static const struct syscall_format {
	const char *name;
	enum kind args[5];
	enum kind result;
	bool blocks;
} syscall_formats[NSYSCALLS] = {
	[SYS_cputs] = { "cputs", { STRING, INT }, INT },
	[SYS_cgetc] = { "cgetc", { NONE }, INT },
	[SYS_getenvid] = { "getenvid", { NONE }, ENVID },
	[SYS_env_destroy] = { "env_destroy", { ENVID }, INT, true },
	[SYS_page_alloc] = { "page_alloc", { ENVID, VA, PERM }, INT },
	[SYS_page_map] = { "page_map", { ENVID, VA, ENVID, VA, PERM }, INT },
	[SYS_page_unmap] = { "page_unmap", { ENVID, VA }, INT },
	[SYS_exofork] = { "exofork", { NONE }, ENVID },
	[SYS_env_set_status] = { "env_set_status", { ENVID, STATUS }, INT },
	[SYS_env_set_trapframe] = { "env_set_trapframe", { ENVID, VA }, INT },
	[SYS_env_set_pgfault_upcall] = { "env_set_pgfault_upcall",
					 { ENVID, VA },
					 INT },
	[SYS_yield] = { "yield", { NONE }, NONE, true },
	[SYS_ipc_try_send] = { "ipc_try_send", { ENVID, INT, VA, PERM }, INT },
	[SYS_ipc_recv] = { "ipc_recv", { VA }, INT, true },
	[SYS_ipc_call] = { "ipc_call",
			   { ENVID, INT, VA, PERM, VA },
			   INT,
			   true },
	[SYS_ipc_reply_recv] = { "ipc_reply_recv",
				 { ENVID, INT, VA, PERM, VA },
				 INT,
				 true },
};

static const char *const error_names[MAXERROR] = {
	[E_UNSPECIFIED] = "E_UNSPECIFIED",
	[E_BAD_ENV] = "E_BAD_ENV",
	[E_INVAL] = "E_INVAL",
	[E_NO_MEM] = "E_NO_MEM",
	[E_NO_FREE_ENV] = "E_NO_FREE_ENV",
	[E_FAULT] = "E_FAULT",
	[E_IPC_NOT_RECV] = "E_IPC_NOT_RECV",
	[E_EOF] = "E_EOF",
	[E_NO_DISK] = "E_NO_DISK",
	[E_MAX_OPEN] = "E_MAX_OPEN",
	[E_NOT_FOUND] = "E_NOT_FOUND",
	[E_BAD_PATH] = "E_BAD_PATH",
	[E_FILE_EXISTS] = "E_FILE_EXISTS",
	[E_NOT_EXEC] = "E_NOT_EXEC",
	[E_NOT_SUPP] = "E_NOT_SUPP",
};

static envid_t
current_id(void)
{
	return curenv ? curenv->env_id : 0;
}

/* Whether the current environment may read [va, va + len): the
 * trace reads a user buffer only if it is mapped for the user. */
static bool
user_readable(uintptr_t va, size_t len)
{
	if (curenv == NULL || len == 0 || va >= ULIM || ULIM - va < len)
		return false;
	for (uintptr_t a = ROUNDDOWN(va, PGSIZE); a < va + len; a += PGSIZE) {
		pte_t *pte;
		if (page_lookup(curenv->env_pgdir, (void *) a, &pte) == NULL ||
		    !(*pte & PTE_U))
			return false;
	}
	return true;
}

/* A user string, quoted and escaped, at most 24 characters of it. */
static void
print_user_string(uintptr_t va, size_t len)
{
	size_t shown = MIN(len, (size_t) 24);

	if (!user_readable(va, shown)) {
		cprintf("0x%08x", va);
		return;
	}
	cprintf("\"");
	for (size_t i = 0; i < shown; i++) {
		char c = ((const char *) va)[i];
		if (c == '\n')
			cprintf("\\n");
		else if (c == '"' || c == '\\')
			cprintf("\\%c", c);
		else if (c >= ' ' && c < 0x7f)
			cprintf("%c", c);
		else
			cprintf("\\x%02x", c & 0xff);
	}
	cprintf(shown < len ? "\"..." : "\"");
}

static void
print_value(enum kind kind, uint32_t v)
{
	static const char *const statuses[] = {
		"ENV_FREE",    "ENV_DYING",	   "ENV_RUNNABLE",
		"ENV_RUNNING", "ENV_NOT_RUNNABLE",
	};
	static const struct {
		uint32_t bit;
		const char *name;
	} perms[] = {
		/* PTE_AVAIL's bits that lib/inc/lib.h gives a meaning. */
		{ 0x800, "PTE_COW" }, { 0x400, "PTE_SHARE" },
		{ PTE_U, "PTE_U" },   { PTE_W, "PTE_W" },
		{ PTE_P, "PTE_P" },
	};
	int32_t err = -(int32_t) v;
	const char *sep = "";
	uint32_t rest = v;

	if ((kind == INT || kind == ENVID) && err > 0 && err < MAXERROR &&
	    error_names[err])
		cprintf("-%s", error_names[err]);
	else if (kind == ENVID)
		cprintf(v ? "%08x" : "0", v);
	else if (kind == VA)
		cprintf("0x%08x", v);
	else if (kind == STATUS && v < ARRAY_SIZE(statuses))
		cprintf("%s", statuses[v]);
	else if (kind == PERM) {
		/* The named bits joined by "|", then any others in hex. */
		for (size_t i = 0; i < ARRAY_SIZE(perms); i++)
			if (v & perms[i].bit) {
				cprintf("%s%s", sep, perms[i].name);
				sep = "|";
				rest &= ~perms[i].bit;
			}
		if (rest)
			cprintf("%s0x%x", sep, rest);
		else if (!*sep)
			cprintf("0");
	} else
		cprintf(kind == STATUS ? "%u" : "%d", v);
}

static void
print_call(uint32_t num, const uint32_t args[5])
{
	const struct syscall_format *f = &syscall_formats[num];

	cprintf("[%08x] sys_%s(", current_id(), f->name);
	for (int i = 0; i < 5 && f->args[i] != NONE; i++) {
		if (i > 0)
			cprintf(", ");
		if (f->args[i] == STRING)
			print_user_string(args[i], args[i + 1]);
		else
			print_value(f->args[i], args[i]);
	}
	cprintf(")");
}

/* Prints the trap's line before dispatch(tf) runs, or the system
 * call's line after it, with the result (before it for a call that may
 * not return; after it, sys_cputs's text is printed already).  The call
 * is kept in locals, on this CPU's kernel stack: with several CPUs, each
 * traces its own. */
void
trace_dispatch(struct Trapframe *tf, void (*dispatch)(struct Trapframe *))
{
	struct PushRegs *r = &tf->tf_regs;
	/* The registers trap_dispatch passes to syscall(). */
	uint32_t num = r->reg_eax;
	uint32_t args[5] = { r->reg_edx, r->reg_ecx, r->reg_ebx, r->reg_edi,
			     r->reg_esi };
	uint32_t want = TRACE_SYSCALL;
	envid_t caller = current_id();
	const struct syscall_format *f = NULL;

	if (num >= SYS_ipc_try_send && num <= SYS_ipc_reply_recv)
		want |= TRACE_IPC;
	if (tf->tf_trapno == T_SYSCALL && (trace_mask & want)) {
		if (num < NSYSCALLS && syscall_formats[num].name != NULL)
			f = &syscall_formats[num];
		else
			cprintf("[%08x] syscall %u (no such call)\n", caller,
				num);
		if (f && f->blocks) {
			print_call(num, args);
			cprintf(" ...\n");
		}
	} else if (tf->tf_trapno == T_PGFLT) {
		/* From lab 4, with an upcall set, page_fault_handler sends
		 * a user fault there (or says why it cannot). */
		void *upcall = curenv ? curenv->env_pgfault_upcall : NULL;
		if (trace_mask & TRACE_PGFAULT) {
			cprintf("[%08x] page fault va %08x ip %08x [%s, %s, "
				"%s]",
				caller, rcr2(), tf->tf_eip,
				tf->tf_err & FEC_U ? "user" : "kernel",
				tf->tf_err & FEC_WR ? "write" : "read",
				tf->tf_err & FEC_PR ? "protection"
						    : "not-present");
			cprintf(upcall && (tf->tf_err & FEC_U)
					? " -> upcall %08x\n"
					: "\n",
				upcall);
		}
	} else if (tf->tf_trapno != T_SYSCALL && (trace_mask & TRACE_TRAP)) {
		cprintf("[%08x] trap %d %s ip %08x err %x\n", caller,
			tf->tf_trapno, trapname(tf->tf_trapno), tf->tf_eip,
			tf->tf_err);
	}

	dispatch(tf);

	/* A call that kills its caller never gets here: the kernel's own
	 * message ("user_mem_check assertion failure", "free env") says
	 * what happened. */
	if (f == NULL)
		return;
	if (f->blocks)
		cprintf("[%08x] ... sys_%s", caller, f->name);
	else
		print_call(num, args);
	if (f->result != NONE) {
		cprintf(" = ");
		print_value(f->result, tf->tf_regs.reg_eax);
	}
	cprintf("\n");
}

void
trace_sched(struct Env *e)
{
	/* curenv still running, its last trap the timer: a preemption. */
	if (curenv && curenv->env_status == ENV_RUNNING &&
	    curenv->env_tf.tf_trapno == IRQ_OFFSET + IRQ_TIMER && e != curenv)
		cprintf("[%08x] timer interrupt at ip %08x: preempted\n",
			curenv->env_id, curenv->env_tf.tf_eip);
	if (e != curenv)
		cprintf("[%08x] switch to %08x (run %u)\n", current_id(),
			e->env_id, e->env_runs + 1);
}

void
trace_ipc_wake(struct Env *receiver)
{
	cprintf("[%08x] ipc wakes %08x: value %u, ", current_id(),
		receiver->env_id, receiver->env_ipc_value);
	if (receiver->env_ipc_perm) {
		cprintf("page at 0x%08x ", receiver->env_ipc_dstva);
		print_value(PERM, receiver->env_ipc_perm);
		cprintf("\n");
	} else
		cprintf("no page\n");
}
