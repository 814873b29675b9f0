/*
 * Environments: creating, loading, running and destroying them.
 *
 * An environment is an address space (env_pgdir) plus a saved register
 * set (env_tf).  envs[] holds all NENV of them; free slots are chained
 * on env_free_list.  The kernel runs an environment by loading its
 * page directory and "returning" into its saved registers with iret.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/elf.h>
#include <kernel/env.h>
#include <kernel/pmap.h>
#include <kernel/trap.h>
#include <kernel/monitor.h>
#include <kernel/sched.h>
#include <kernel/fpu.h>

struct Env *envs = NULL; /* all environments */
#if LAB < 4
struct Env *curenv = NULL; /* the current environment */
#else
#include <kernel/spinlock.h>
#endif
static struct Env *env_free_list; /* free environments */

/*
 * envid2env_lookup: the Env an envid names (envid2env, kernel/env.h,
 * answers 0, the caller, itself and calls this for the others).
 *
 * With checkperm, the caller may name only itself or its own children:
 * that is the exokernel's rule for who may change whom.  Returns 0 and
 * sets *env_store, or returns -E_BAD_ENV and sets *env_store to NULL.
 */
int
envid2env_lookup(envid_t envid, struct Env **env_store, bool checkperm)
{
	struct Env *e;

	/* A stale id (the slot was reused since) must not match: compare
	 * the whole id, generation included. */
	e = &envs[ENVX(envid)];
	if (e->env_status == ENV_FREE || e->env_id != envid) {
		*env_store = NULL;
		return -E_BAD_ENV;
	}
	if (checkperm && e != curenv && e->env_parent_id != curenv->env_id) {
		*env_store = NULL;
		return -E_BAD_ENV;
	}
	*env_store = e;
	return 0;
}

/*
 * env_init: mark every environment free, with env_id 0, and put them
 * all on env_free_list in index order, so that the first env_alloc
 * returns envs[0] (lab 3, exercise 2).
 */
void
env_init(void)
{
#if SOL >= 3
	/* Push from the end so that envs[0] ends up at the head. */
	env_free_list = NULL;
	for (int i = NENV - 1; i >= 0; i--) {
		envs[i].env_status = ENV_FREE;
		envs[i].env_id = 0;
		envs[i].env_link = env_free_list;
		env_free_list = &envs[i];
	}
#else
	/* LAB 3: Your code here (exercise 2). */
	panic("env_init: not implemented (lab 3, exercise 2)");
#endif
}

/*
 * env_setup_vm: give e an address space (lab 3, exercise 2).
 *
 * Allocates a page for e->env_pgdir (counting the reference: pp_ref++)
 * and fills it so that everything above UTOP is mapped exactly as in
 * kern_pgdir (the kernel must be there when the environment traps),
 * except that UVPT maps e's own page directory, read-only for the
 * user.  Nothing below UTOP is mapped yet.
 *
 * Returns 0, or -E_NO_MEM.
 *
 * Hint: the page tables above UTOP can be shared: copying the
 * directory entries is enough.
 */
static int
env_setup_vm(struct Env *e)
{
#if SOL >= 3
	struct PageInfo *p = page_alloc(ALLOC_ZERO);

	if (p == NULL)
		return -E_NO_MEM;
	p->pp_ref++;
	e->env_pgdir = page2kva(p);
	memcpy(&e->env_pgdir[PDX(UTOP)], &kern_pgdir[PDX(UTOP)],
	       (NPDENTRIES - PDX(UTOP)) * sizeof(pde_t));
	e->env_pgdir[PDX(UVPT)] = PADDR(e->env_pgdir) | PTE_P | PTE_U;
	return 0;
#else
	/* LAB 3: Your code here (exercise 2). */
	panic("env_setup_vm: not implemented (lab 3, exercise 2)");
#endif
}

/*
 * Allocates and sets up a new environment, the child of parent_id
 * (0 for one the kernel creates).  Returns 0 and sets *newenv_store,
 * or -E_NO_FREE_ENV / -E_NO_MEM.
 */
int
env_alloc(struct Env **newenv_store, envid_t parent_id)
{
	int32_t generation;
	int r;
	struct Env *e = env_free_list;

	if (e == NULL)
		return -E_NO_FREE_ENV;
	if ((r = env_setup_vm(e)) < 0)
		return r;

	/* The next generation for this slot; it restarts at 1 before it
	 * could make the id zero or negative. */
	generation = (e->env_id + (1 << ENVGENSHIFT)) & ~(NENV - 1);
	if (generation <= 0)
		generation = 1 << ENVGENSHIFT;
	e->env_id = generation | (e - envs);

	e->env_parent_id = parent_id;
	e->env_type = ENV_TYPE_USER;
#if LAB < 4
	e->env_status = ENV_RUNNABLE;
#endif
	e->env_runs = 0;
	e->env_cpunum = -1;
#if LAB >= 4
	env_set_status(e, ENV_RUNNABLE);
#endif
	e->env_pgfault_upcall = NULL;
	e->env_ipc_recving = false;

	/* Registers start zeroed; segment registers get the user
	 * segments with requested privilege level 3.  env_pop_tf loads
	 * them when the environment first runs. */
	memset(&e->env_tf, 0, sizeof(e->env_tf));
	e->env_tf.tf_ds = GD_UD | 3;
	e->env_tf.tf_es = GD_UD | 3;
	e->env_tf.tf_ss = GD_UD | 3;
	e->env_tf.tf_esp = USTACKTOP;
	e->env_tf.tf_cs = GD_UT | 3;
	/* tf_eip is set by load_icode. */
#if LAB >= 4
	/* Interrupts on in user mode: the timer must be able to take the
	 * CPU back from an environment that never gives it up. */
	e->env_tf.tf_eflags = FL_IF;
#endif

	/* Its own FPU registers, as after a reset: nothing of the slot's
	 * previous user survives (kernel/fpu.c). */
	fpu_reset(e);

	env_free_list = e->env_link;
	*newenv_store = e;

	cprintf("[%08x] new env %08x\n", curenv ? curenv->env_id : 0,
		e->env_id);
	return 0;
}

/*
 * region_alloc: give e `len` bytes of zeroed, user-writable memory at
 * va (lab 3, exercise 2).
 *
 * Rounds va down and va + len up to page boundaries, allocates a page
 * for each page of the range (page_alloc) and maps it with
 * PTE_U | PTE_W (page_insert).  Pages already mapped there (two ELF
 * segments may share a page) are left alone.
 *
 * Returns 0, or -E_NO_MEM (pages already mapped stay mapped: env_free
 * cleans up).
 */
static int
region_alloc(struct Env *e, void *va, size_t len)
{
#if SOL >= 3
	uintptr_t start = ROUNDDOWN((uintptr_t) va, PGSIZE);
	uintptr_t end = ROUNDUP((uintptr_t) va + len, PGSIZE);

	for (uintptr_t a = start; a < end; a += PGSIZE) {
		if (page_lookup(e->env_pgdir, (void *) a, NULL) != NULL)
			continue;
		struct PageInfo *p = page_alloc(ALLOC_ZERO);
		if (p == NULL)
			return -E_NO_MEM;
		if (page_insert(e->env_pgdir, p, (void *) a, PTE_U | PTE_W) <
		    0) {
			page_free(p);
			return -E_NO_MEM;
		}
	}
	return 0;
#else
	/* LAB 3: Your code here (exercise 2). */
	panic("region_alloc: not implemented (lab 3, exercise 2)");
#endif
}

/*
 * Checks that the ELF image [binary, binary + size) is one load_icode
 * can load safely; returns NULL if so, else what is wrong with it.
 * Nothing in an image is trusted before this says yes: a bad header
 * must never make the kernel read outside the image or map kernel
 * memory.
 */
static const char *
elf_problem(const uint8_t *binary, size_t size)
{
	const struct Elf *elf = (const struct Elf *) binary;

	if (size < sizeof(struct Elf))
		return "shorter than an ELF header";
	if (elf->e_magic != ELF_MAGIC)
		return "no ELF magic number";
	if (elf->e_elf[EI_CLASS - 4] != ELFCLASS32 ||
	    elf->e_elf[EI_DATA - 4] != ELFDATA2LSB)
		return "not a 32-bit little-endian ELF file";
	if (elf->e_machine != EM_386 || elf->e_type != ET_EXEC)
		return "not an i386 executable";
	if (elf->e_phentsize != sizeof(struct Proghdr))
		return "unexpected program header size";
	/* 64-bit arithmetic: no sum here can overflow. */
	if ((uint64_t) elf->e_phoff +
		    (uint64_t) elf->e_phnum * sizeof(struct Proghdr) >
	    size)
		return "program headers outside the image";

	const struct Proghdr *ph =
		(const struct Proghdr *) (binary + elf->e_phoff);
	bool entry_loaded = false;
	for (int i = 0; i < elf->e_phnum; i++, ph++) {
		if (ph->p_type != ELF_PROG_LOAD)
			continue;
		if ((uint64_t) ph->p_offset + ph->p_filesz > size)
			return "a segment extends past the end of the image";
		if (ph->p_filesz > ph->p_memsz)
			return "a segment's file size exceeds its memory size";
		if ((uint64_t) ph->p_va + ph->p_memsz > UTOP)
			return "a segment lies above UTOP";
		if (elf->e_entry >= ph->p_va &&
		    elf->e_entry - ph->p_va < ph->p_memsz)
			entry_loaded = true;
	}
	if (!entry_loaded)
		return "the entry point is in no loaded segment";
	return NULL;
}

#if SOL >= 3
/* Whether a writable segment of elf covers part of the page at va. */
static bool
page_in_writable_segment(const struct Elf *elf, uintptr_t va)
{
	const struct Proghdr *ph =
		(const struct Proghdr *) ((const uint8_t *) elf + elf->e_phoff);

	for (int i = 0; i < elf->e_phnum; i++, ph++)
		if (ph->p_type == ELF_PROG_LOAD &&
		    (ph->p_flags & ELF_PROG_FLAG_WRITE) &&
		    ph->p_va < va + PGSIZE && va < ph->p_va + ph->p_memsz)
			return true;
	return false;
}
#endif

/*
 * load_icode: load an ELF executable into e's address space and set it
 * up to start running there (lab 3, exercise 2).
 *
 * For each program header of type ELF_PROG_LOAD: allocate ph->p_memsz
 * bytes at ph->p_va (region_alloc), copy ph->p_filesz bytes from
 * binary + ph->p_offset into the start of it, and leave the rest zero
 * (that is the .bss).  Then allocate one page of user stack just
 * below USTACKTOP, and make the environment start at the entry point
 * (e->env_tf.tf_eip).
 *
 * Segments get the permissions their program headers ask for: a page
 * stays user-writable only if a segment with ELF_PROG_FLAG_WRITE in
 * ph->p_flags covers part of it, so that a program's .text and
 * .rodata are read-only.  The copying itself needs the pages
 * writable: take PTE_W away after copying (pgdir_walk finds the PTE).
 *
 * The image has been checked by elf_problem() before this runs.
 * Returns 0 or -E_NO_MEM.
 *
 * Hint: the segments go into e's address space, not the current one.
 * Either switch to e->env_pgdir with lcr3() while copying (and back to
 * kern_pgdir after), or find each page with page_lookup and copy
 * through its kernel address, page2kva().
 */
static int
load_icode(struct Env *e, const uint8_t *binary)
{
#if SOL >= 3
	const struct Elf *elf = (const struct Elf *) binary;
	const struct Proghdr *ph =
		(const struct Proghdr *) (binary + elf->e_phoff);
	int r = 0;

	/* Copy with the environment's address space loaded: its pages
	 * are then simply at p_va. */
	lcr3(PADDR(e->env_pgdir));
	for (int i = 0; i < elf->e_phnum; i++, ph++) {
		if (ph->p_type != ELF_PROG_LOAD)
			continue;
		if ((r = region_alloc(e, (void *) ph->p_va, ph->p_memsz)) < 0)
			break;
		memcpy((void *) ph->p_va, binary + ph->p_offset, ph->p_filesz);
	}
	lcr3(PADDR(curenv ? curenv->env_pgdir : kern_pgdir));
	if (r < 0)
		return r;

	/* Now make read-only what the program should not write. */
	ph = (const struct Proghdr *) (binary + elf->e_phoff);
	for (int i = 0; i < elf->e_phnum; i++, ph++) {
		if (ph->p_type != ELF_PROG_LOAD ||
		    (ph->p_flags & ELF_PROG_FLAG_WRITE))
			continue;
		for (uintptr_t va = ROUNDDOWN(ph->p_va, PGSIZE);
		     va < ph->p_va + ph->p_memsz; va += PGSIZE)
			if (!page_in_writable_segment(elf, va))
				*pgdir_walk(e->env_pgdir, (void *) va, 0) &=
					~PTE_W;
	}

	e->env_tf.tf_eip = elf->e_entry;
	return region_alloc(e, (void *) (USTACKTOP - PGSIZE), PGSIZE);
#else
	/* LAB 3: Your code here (exercise 2). */
	panic("load_icode: not implemented (lab 3, exercise 2)");
#endif
}

/*
 * Gives the new environment its arguments, laid out at the top of its
 * stack the way lib/entry.S expects them (and as spawn will in lab 5):
 * so that even a program the kernel starts knows its name, for panic
 * messages.  `command` is the program's name, followed by its
 * arguments after colons ("forkexit:500" gives argc 2, argv = {
 * "forkexit", "500" }).
 *
 *   USTACKTOP ->  the strings, NUL-terminated (rounded to 4 bytes)
 *                 argv[argc] = NULL
 *                 argv[0..argc-1] = user addresses of the strings
 *   tf_esp ->     argc, then the address of argv[0]
 *
 * (With the arguments below, the stack pointer is not USTACKTOP, which
 * is how _start tells that arguments are there.)
 */
#define MAX_ARGS 8
static int
push_program_name(struct Env *e, const char *command)
{
	struct PageInfo *page =
		page_lookup(e->env_pgdir, (void *) (USTACKTOP - PGSIZE), NULL);
	if (page == NULL) {
		cprintf("env_create: %s: load_icode left no stack page "
			"below USTACKTOP\n",
			command);
		return -E_INVAL;
	}
	char *top = (char *) page2kva(page) + PGSIZE; /* kernel view */
	size_t len = ROUNDUP(strlen(command) + 1, 4);
	char *strings = top - len;
	uintptr_t strings_va = USTACKTOP - len;
	uintptr_t argv[MAX_ARGS + 1];
	int argc = 0;

	if (len > PGSIZE / 2)
		return -E_INVAL;
	memcpy(strings, command, strlen(command) + 1);
	/* Split at the colons, in place. */
	for (char *s = strings; argc < MAX_ARGS; s++) {
		argv[argc++] = strings_va + (s - strings);
		if ((s = strchr(s, ':')) == NULL)
			break;
		*s = '\0';
	}
	argv[argc] = 0;
	uintptr_t *words = (uintptr_t *) strings - (argc + 1) - 2;
	words[0] = argc;
	words[1] = strings_va - (argc + 1) * sizeof(uintptr_t);
	memcpy(&words[2], argv, (argc + 1) * sizeof(uintptr_t));
	e->env_tf.tf_esp = strings_va - (argc + 3) * sizeof(uintptr_t);
	return 0;
}

/*
 * env_create: make a new environment running the ELF image `binary`
 * (of `size` bytes), of the given type.  A bad image or no memory make
 * it fail with a message and an error; nothing is left allocated.
 */
int
env_create(const char *name, const uint8_t *binary, size_t size,
	   enum EnvType type)
{
	struct Env *e;
	const char *problem;
	int r;

	if ((problem = elf_problem(binary, size)) != NULL) {
		cprintf("env_create: %s: bad ELF image: %s\n", name, problem);
		return -E_INVAL;
	}
	if ((r = env_alloc(&e, 0)) < 0) {
		cprintf("env_create: %s: %e\n", name, r);
		return r;
	}
	e->env_type = type;
#if LAB >= 5
	/*
	 * Lab 5, exercise 1: the file server (type ENV_TYPE_FS) drives the
	 * disk itself, with in and out at CPL 3.  Give it I/O privilege:
	 * FL_IOPL_3 in the eflags it starts with.  No other environment
	 * gets it (and sys_env_set_trapframe keeps each one's IOPL as it
	 * is), so a client's inb faults.
	 */
#if SOL >= 5
	if (type == ENV_TYPE_FS)
		e->env_tf.tf_eflags |= FL_IOPL_3;
#else
	/* LAB 5: Your code here (exercise 1). */
#endif
#endif
	if ((r = load_icode(e, binary)) < 0) {
		cprintf("env_create: %s: %e\n", name, r);
		env_free(e);
		return r;
	}
	if ((r = push_program_name(e, name)) < 0) {
		env_free(e);
		return r;
	}
	return 0;
}

/*
 * Frees environment e and everything it owns: its pages, its page
 * tables and its page directory.
 */
void
env_free(struct Env *e)
{
	/* We are about to free the page directory we may be running
	 * on: switch to the kernel's first. */
	if (e == curenv)
		lcr3(PADDR(kern_pgdir));

	cprintf("[%08x] free env %08x\n", curenv ? curenv->env_id : 0,
		e->env_id);

#if LAB >= 4
	/* A child that its parent created but never started (a fork cut
	 * short) could now never run: only its parent may make it
	 * runnable.  Free it too, or its pages would be lost.  (It never
	 * ran, so it has no children of its own.) */
	for (struct Env *child = envs; child < envs + NENV; child++)
		if (child->env_status == ENV_NOT_RUNNABLE &&
		    child->env_runs == 0 && child->env_parent_id == e->env_id)
			env_free(child);
#endif

	/* Unmap every user page, then free the page tables: only the
	 * directory entries below UTOP belong to the environment. */
	static_assert(UTOP % PTSIZE == 0);
	for (uint32_t pdeno = 0; pdeno < PDX(UTOP); pdeno++) {
		if (!(e->env_pgdir[pdeno] & PTE_P))
			continue;
		physaddr_t pa = PTE_ADDR(e->env_pgdir[pdeno]);
		pte_t *pt = KADDR(pa);
		for (uint32_t pteno = 0; pteno < NPTENTRIES; pteno++)
			if (pt[pteno] & PTE_P)
				page_remove(e->env_pgdir,
					    PGADDR(pdeno, pteno, 0));
		e->env_pgdir[pdeno] = 0;
		page_decref(pa2page(pa));
	}

	physaddr_t pgdir_pa = PADDR(e->env_pgdir);
	e->env_pgdir = NULL;
	page_decref(pa2page(pgdir_pa));

#if LAB >= 4
	env_set_status(e, ENV_FREE);
#else
	e->env_status = ENV_FREE;
#endif
	e->env_link = env_free_list;
	env_free_list = e;
}

/*
 * Destroys environment e.  If e is the current environment, the CPU
 * goes to the scheduler and this does not return.
 */
void
env_destroy(struct Env *e)
{
#if LAB >= 4
	/* Running on another CPU: its kernel stack and page directory are
	 * in use there.  Mark it; that CPU frees it the next time it
	 * enters the kernel (trap()). */
	if ((e->env_status == ENV_RUNNING || e->env_status == ENV_DYING) &&
	    e != curenv) {
		env_set_status(e, ENV_DYING);
		return;
	}
#endif
	env_free(e);
	if (e == curenv) {
		curenv = NULL;
		sched_yield();
	}
}

/*
 * Restores the registers in tf and returns to the code they describe,
 * with iret: it pops eip, cs and eflags (and, since cs is a user
 * segment, esp and ss too).
 */
void
env_pop_tf(struct Trapframe *tf)
{
#if LAB >= 4
	if (trap_from_user(tf)) {
		/* Leaving the kernel for user mode: release the big kernel
		 * lock (lab 4, exercise 5; the rule is in kernel/spinlock.h).
		 */
#if SOL >= 4
		unlock_kernel();
#else
		/* LAB 4: Your code here (exercise 5). */
#endif
	}
#endif
	asm volatile("\tmovl %0,%%esp\n" /* the trap frame becomes the stack */
		     "\tpopal\n"	 /* general registers */
		     "\tpopl %%es\n"
		     "\tpopl %%ds\n"
		     "\taddl $0x8,%%esp\n" /* skip tf_trapno and tf_err */
		     "\tiret\n"
		     :
		     : "g"(tf)
		     : "memory");
	panic("iret failed"); /* mostly to placate the compiler */
}

/*
 * env_run: switch to environment e and run it (lab 3, exercise 2).
 *
 * If a different environment was running, it becomes ENV_RUNNABLE
 * again.  Then e becomes curenv and ENV_RUNNING, its env_runs count
 * goes up, its address space is loaded (lcr3), and env_pop_tf enters
 * it.  Never returns.
 *
 * (Before your code runs, the FPU registers switch from curenv to e:
 * see kernel/fpu.c.)
 */
void
env_run(struct Env *e)
{
#if LAB >= 4
	/* The CPU it runs on (env_loaded_elsewhere).  It changes only
	 * here: a trap returns an environment to the CPU it came from. */
	e->env_cpunum = cpunum();
#endif
	if (e != curenv)
		fpu_switch(curenv, e);
#if SOL >= 3
	if (curenv != NULL && curenv != e && curenv->env_status == ENV_RUNNING)
		curenv->env_status = ENV_RUNNABLE;
	curenv = e;
	e->env_status = ENV_RUNNING;
	e->env_runs++;
	lcr3(PADDR(e->env_pgdir));
	env_pop_tf(&e->env_tf);
#else
	/* LAB 3: Your code here (exercise 2). */
	panic("env_run: not implemented (lab 3, exercise 2)");
#endif
}

#if LAB >= 4
void
env_set_status(struct Env *e, unsigned status)
{
	bool was_on = sched_on_ring(e);

	/* Still loaded on another CPU: it is running, not waiting to
	 * run, or a second CPU could pick it up. */
	if (status == ENV_RUNNABLE && env_loaded_elsewhere(e))
		status = ENV_RUNNING;

	e->env_status = status;
	if (!was_on && sched_on_ring(e))
		sched_enqueue(e);
	else if (was_on && !sched_on_ring(e))
		sched_dequeue(e);
}
#endif
