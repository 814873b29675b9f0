/*
 * syserrors: every error return of every lab 4 system call, through
 * the library's stubs (which must hand each error back: issue 7's
 * rule, lib/syscall.c).
 *
 * Each line says what was called and what came back:
 *   syserrors: CALL(WHAT) = RESULT
 * lab4/test_lab4.py holds the value each one must be.  Calls made on
 * another environment's behalf (not our child) run in a forked child.
 */
#include <inc/lib.h>

#define PERM	(PTE_P | PTE_U | PTE_W)
#define VA	((void *) 0x00A00000) /* a page we allocate */
#define RO_VA	((void *) 0x00A01000) /* a read-only page */
#define FREE_VA ((void *) 0x00A02000) /* nothing mapped */
#define BAD_ENV                                                                \
	((envid_t) 0x7FFFF3FF) /* a slot nobody has, generation 0x7ffff */

static void
show(const char *what, int r)
{
	cprintf("syserrors: %s = %d\n", what, r);
}

/* As the child of `parent`: what a non-parent may not do to it. */
static void
not_my_child(envid_t parent)
{
	struct Trapframe tf = { 0 };

	show("sys_page_alloc(parent)", sys_page_alloc(parent, VA, PERM));
	show("sys_page_map(from parent)",
	     sys_page_map(parent, VA, 0, VA, PERM));
	show("sys_page_map(to parent)", sys_page_map(0, VA, parent, VA, PERM));
	show("sys_page_unmap(parent)", sys_page_unmap(parent, VA));
	show("sys_env_set_status(parent)",
	     sys_env_set_status(parent, ENV_NOT_RUNNABLE));
	show("sys_env_set_trapframe(parent)",
	     sys_env_set_trapframe(parent, &tf));
	show("sys_env_set_pgfault_upcall(parent)",
	     sys_env_set_pgfault_upcall(parent, (void *) UTEXT));
	show("sys_env_destroy(parent)", sys_env_destroy(parent));
	ipc_send(parent, 0, NULL, 0);
}

/* sys_env_set_trapframe on a blank child: what the kernel forces. */
static void
trapframe(void)
{
	struct Trapframe tf;
	envid_t child = sys_exofork();
	const volatile struct Env *e;

	if (child == 0)
		exit(); /* never runs: we destroy it first */
	if (child < 0)
		panic("sys_exofork: %e", child);
	e = &envs[ENVX(child)];
	memset(&tf, 0, sizeof(tf));
	tf.tf_cs = GD_KT; /* kernel code */
	tf.tf_ds = tf.tf_es = tf.tf_ss = GD_KD;
	tf.tf_eflags = FL_IOPL_3 | FL_VM | FL_NT | FL_CF;
	tf.tf_eip = UTEXT;
	show("sys_env_set_trapframe(unmapped tf)",
	     sys_env_set_trapframe(child, (struct Trapframe *) FREE_VA));
	show("sys_env_set_trapframe(kernel tf)",
	     sys_env_set_trapframe(child, (struct Trapframe *) 0xF0100000));
	show("sys_env_set_trapframe(bad envid)",
	     sys_env_set_trapframe(BAD_ENV, &tf));
	show("sys_env_set_trapframe(child)", sys_env_set_trapframe(child, &tf));
	cprintf("syserrors: child's frame: cs %04x ds %04x ss %04x eflags "
		"%08x\n",
		e->env_tf.tf_cs, e->env_tf.tf_ds, e->env_tf.tf_ss,
		e->env_tf.tf_eflags);
	show("sys_env_set_status(child, ENV_FREE)",
	     sys_env_set_status(child, ENV_FREE));
	show("sys_env_set_status(child, ENV_RUNNING)",
	     sys_env_set_status(child, ENV_RUNNING));
	show("sys_env_set_status(child, 99)", sys_env_set_status(child, 99));
	show("sys_env_set_status(bad envid)",
	     sys_env_set_status(BAD_ENV, ENV_RUNNABLE));
	show("sys_env_set_status(child, ENV_NOT_RUNNABLE)",
	     sys_env_set_status(child, ENV_NOT_RUNNABLE));
	show("sys_env_destroy(child)", sys_env_destroy(child));
	show("sys_env_destroy(child again)", sys_env_destroy(child));
}

void
umain(int argc, char **argv)
{
	envid_t me = sys_getenvid(), child;
	int r;

	/* sys_page_alloc */
	show("sys_page_alloc(bad envid)", sys_page_alloc(BAD_ENV, VA, PERM));
	show("sys_page_alloc(va UTOP)", sys_page_alloc(0, (void *) UTOP, PERM));
	show("sys_page_alloc(va kernel)",
	     sys_page_alloc(0, (void *) 0xF0000000, PERM));
	show("sys_page_alloc(va unaligned)", sys_page_alloc(0, VA + 1, PERM));
	show("sys_page_alloc(perm no PTE_U)",
	     sys_page_alloc(0, VA, PTE_P | PTE_W));
	show("sys_page_alloc(perm no PTE_P)",
	     sys_page_alloc(0, VA, PTE_U | PTE_W));
	show("sys_page_alloc(perm PTE_PCD)",
	     sys_page_alloc(0, VA, PERM | PTE_PCD));
	show("sys_page_alloc(perm PTE_G)", sys_page_alloc(0, VA, PERM | PTE_G));
	show("sys_page_alloc(ok)", sys_page_alloc(0, VA, PERM));
	show("sys_page_alloc(read-only)",
	     sys_page_alloc(0, RO_VA, PTE_P | PTE_U));

	/* sys_page_map */
	show("sys_page_map(bad src envid)",
	     sys_page_map(BAD_ENV, VA, 0, VA, PERM));
	show("sys_page_map(bad dst envid)",
	     sys_page_map(0, VA, BAD_ENV, VA, PERM));
	show("sys_page_map(srcva UTOP)",
	     sys_page_map(0, (void *) UTOP, 0, VA, PTE_P | PTE_U));
	show("sys_page_map(srcva unaligned)",
	     sys_page_map(0, VA + 4, 0, VA, PERM));
	show("sys_page_map(dstva UTOP)",
	     sys_page_map(0, VA, 0, (void *) UTOP, PERM));
	show("sys_page_map(dstva unaligned)",
	     sys_page_map(0, VA, 0, FREE_VA + 8, PERM));
	show("sys_page_map(srcva unmapped)",
	     sys_page_map(0, FREE_VA, 0, VA, PERM));
	show("sys_page_map(perm no PTE_U)",
	     sys_page_map(0, VA, 0, FREE_VA, PTE_P));
	show("sys_page_map(perm PTE_PWT)",
	     sys_page_map(0, VA, 0, FREE_VA, PERM | PTE_PWT));
	show("sys_page_map(writable from read-only)",
	     sys_page_map(0, RO_VA, 0, FREE_VA, PERM));
	show("sys_page_map(read-only from read-only)",
	     sys_page_map(0, RO_VA, 0, FREE_VA, PTE_P | PTE_U));

	/* sys_page_unmap */
	show("sys_page_unmap(bad envid)", sys_page_unmap(BAD_ENV, VA));
	show("sys_page_unmap(va UTOP)", sys_page_unmap(0, (void *) UTOP));
	show("sys_page_unmap(va unaligned)", sys_page_unmap(0, VA + 1));
	show("sys_page_unmap(mapped)", sys_page_unmap(0, FREE_VA));
	show("sys_page_unmap(unmapped)", sys_page_unmap(0, FREE_VA));

	/* sys_env_set_pgfault_upcall */
	show("sys_env_set_pgfault_upcall(bad envid)",
	     sys_env_set_pgfault_upcall(BAD_ENV, (void *) UTEXT));
	show("sys_env_set_pgfault_upcall(self)",
	     sys_env_set_pgfault_upcall(0, NULL));

	/* sys_ipc_*: no one is waiting for us here. */
	show("sys_ipc_try_send(bad envid)",
	     sys_ipc_try_send(BAD_ENV, 1, (void *) UTOP, 0));
	show("sys_ipc_try_send(not receiving)",
	     sys_ipc_try_send(me, 1, (void *) UTOP, 0));
	show("sys_ipc_try_send(srcva unaligned)",
	     sys_ipc_try_send(me, 1, VA + 2, PERM));
	show("sys_ipc_try_send(srcva unmapped)",
	     sys_ipc_try_send(me, 1, FREE_VA, PERM));
	show("sys_ipc_try_send(perm no PTE_P)",
	     sys_ipc_try_send(me, 1, VA, PTE_U));
	show("sys_ipc_try_send(writable from read-only)",
	     sys_ipc_try_send(me, 1, RO_VA, PERM));
	show("sys_ipc_recv(dstva unaligned)", sys_ipc_recv(VA + 16));
	show("sys_ipc_call(dstva unaligned)",
	     sys_ipc_call(me, 1, (void *) UTOP, 0, VA + 16));
	show("sys_ipc_call(bad envid)",
	     sys_ipc_call(BAD_ENV, 1, (void *) UTOP, 0, (void *) UTOP));
	show("sys_ipc_call(not receiving)",
	     sys_ipc_call(me, 1, (void *) UTOP, 0, (void *) UTOP));
	show("sys_ipc_reply_recv(srcva unmapped)",
	     sys_ipc_reply_recv(me, 1, FREE_VA, PERM, (void *) UTOP));

	/* An unknown system call number. */
	asm volatile("int %1"
		     : "=a"(r)
		     : "i"(T_SYSCALL), "0"(NSYSCALLS)
		     : "cc", "memory", "edx", "ecx", "ebx", "edi", "esi");
	show("syscall(NSYSCALLS)", r);

	/* The environment calls. */
	trapframe();
	if ((child = fork()) == 0) {
		not_my_child(thisenv->env_parent_id);
		return;
	}
	ipc_recv(NULL, NULL, NULL);
	sys_yield();
	show("sys_env_destroy(bad envid)", sys_env_destroy(BAD_ENV));
	cprintf("syserrors: done\n");
}
