/*
 * fork: a copy-on-write fork, written entirely in the library OS.
 *
 * The kernel knows nothing of fork.  It offers a blank child
 * (sys_exofork), page mapping between parent and child (sys_page_map)
 * and user-level page faults (lib/pgfault.c).  From these the library
 * builds Unix's fork: the child shares every page with its parent,
 * read-only and marked PTE_COW; the first write to such a page, by
 * either side, faults, and the fault handler below gives the writer a
 * private copy.
 */
#include <inc/lib.h>

/* The assembly entry point for page faults (lib/pfentry.S). */
extern void _pgfault_upcall(void);

/*
 * pgfault: the copy-on-write fault handler (lab 4, exercise 12).
 *
 * A write (FEC_WR in utf_err) to a page marked PTE_COW gets a private,
 * writable copy of that page, mapped where the shared one was; the
 * faulting write then runs again and succeeds.  Any other fault is a
 * bug in the program: panic, saying where.
 *
 * Hint: the PTE is uvpt[PGNUM(va)], but only if uvpd[PDX(va)] says
 * that the page table is there.  Allocate the copy at PFTEMP, copy,
 * map it at the page's address, and unmap PFTEMP.
 */
static void
pgfault(struct UTrapframe *utf)
{
	void *va = (void *) ROUNDDOWN(utf->utf_fault_va, PGSIZE);
	int r;

#if SOL >= 4
	if (!(utf->utf_err & FEC_WR) || !(uvpd[PDX(va)] & PTE_P) ||
	    (uvpt[PGNUM(va)] & (PTE_P | PTE_COW)) != (PTE_P | PTE_COW))
		panic("page fault at va %08x, eip %08x (err %x): not a write "
		      "to a copy-on-write page",
		      utf->utf_fault_va, utf->utf_eip, utf->utf_err);
	if ((r = sys_page_alloc(0, PFTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		panic("copy-on-write fault at %08x: %e", utf->utf_fault_va, r);
	memcpy(PFTEMP, va, PGSIZE);
	if ((r = sys_page_map(0, PFTEMP, 0, va, PTE_P | PTE_U | PTE_W)) < 0)
		panic("copy-on-write fault at %08x: %e", utf->utf_fault_va, r);
	if ((r = sys_page_unmap(0, PFTEMP)) < 0)
		panic("copy-on-write fault at %08x: %e", utf->utf_fault_va, r);
#else
	/* LAB 4: Your code here (exercise 12). */
	USED(va);
	USED(r);
	panic("pgfault: not implemented (lab 4, exercise 12)");
#endif
}

/*
 * duppage: give child envid page number pn of ours, the way fork
 * shares it (lab 4, exercise 12):
 *   - PTE_SHARE pages (lab 5's file descriptors) are shared as they
 *     are, writable or not (perm & PTE_SYSCALL);
 *   - writable and copy-on-write pages become copy-on-write, read-only
 *     and PTE_COW, in the child AND in the parent;
 *   - read-only pages are shared read-only.
 * Returns 0, or the error of sys_page_map.
 *
 * The order matters: map the child first, then remap our own page.
 * If we marked our page copy-on-write first, our next write to it
 * (this very function writes to the stack) would fault and give us a
 * private, writable copy, and the child would then be mapped to that
 * copy - a page we go on writing without any fault, so the child would
 * see our later writes.  Child first, the child gets the original, and
 * our page turns read-only right after.
 */
static int
duppage(envid_t envid, unsigned pn)
{
#if SOL >= 4
	void *va = (void *) (pn << PGSHIFT);
	pte_t pte = uvpt[pn];
	int perm = pte & PTE_SYSCALL;
	int r;

	if ((pte & PTE_SHARE) || !(pte & (PTE_W | PTE_COW)))
		return sys_page_map(0, va, envid, va, perm);
	perm = (perm & ~PTE_W) | PTE_COW;
	if ((r = sys_page_map(0, va, envid, va, perm)) < 0)
		return r;
	/* Already read-only copy-on-write: no need to remap it. */
	if (!(pte & PTE_W))
		return 0;
	return sys_page_map(0, va, 0, va, perm);
#else
	/* LAB 4: Your code here (exercise 12). */
	return -E_NOT_SUPP;
#endif
}

/*
 * Finishes a child that has its memory: its own exception stack (never
 * shared: the parent's handler runs on the parent's), the upcall, and
 * runnable.  On an error the child is destroyed.  Returns the child's
 * id or the error.
 */
static envid_t
start_child(envid_t child)
{
	int r;

	if ((r = sys_page_alloc(child, (void *) (UXSTACKTOP - PGSIZE),
				PTE_P | PTE_U | PTE_W)) < 0 ||
	    (r = sys_env_set_pgfault_upcall(child, _pgfault_upcall)) < 0 ||
	    (r = sys_env_set_status(child, ENV_RUNNABLE)) < 0) {
		sys_env_destroy(child);
		return r;
	}
	return child;
}

#if SOL >= 4
/* Entries tested at once: most slots of a page table, and of the page
 * directory below UTOP, are empty. */
#define GROUP 16

/* Whether any of the GROUP entries from p on is present.  Written out:
 * one instruction an entry, where a loop takes five.  (Nothing changes
 * our page tables while we read them: only our own calls do.) */
static bool
any_present(const volatile pte_t *entries)
{
	const pte_t *p = (const pte_t *) entries;

	static_assert(GROUP == 16 && NPTENTRIES % GROUP == 0);
	return (p[0] | p[1] | p[2] | p[3] | p[4] | p[5] | p[6] | p[7] | p[8] |
		p[9] | p[10] | p[11] | p[12] | p[13] | p[14] | p[15]) &
	       PTE_P;
}

/* Gives the child, with give(), each page mapped in the page table of
 * directory entry pdx, from the top down, except the exception stack.
 * Returns 0 or give's first error. */
static int
give_table(envid_t child, unsigned pdx, int (*give)(envid_t child, unsigned pn))
{
	int r;

	for (unsigned pn = (pdx + 1) * NPTENTRIES; pn > pdx * NPTENTRIES;) {
		pn -= GROUP;
		if (!any_present(&uvpt[pn]))
			continue;
		for (unsigned i = pn + GROUP; i-- > pn;)
			if ((uvpt[i] & PTE_P) &&
			    i != PGNUM(UXSTACKTOP - PGSIZE) &&
			    (r = give(child, i)) < 0)
				return r;
	}
	return 0;
}

/*
 * fork's and sfork's common part: a child that gets each page mapped
 * below UTOP through give(child, page number), except the exception
 * stack (it gets a fresh one, start_child).  The pages go from the top
 * down: lab 5's file descriptors then reach the child with their data
 * (above them) mapped first, which pipes rely on (pipeisclosed in
 * lib/pipe.c).  Absent page tables are skipped a group of directory
 * entries at a time.  Returns as fork does.
 */
static envid_t
fork_giving(int (*give)(envid_t child, unsigned pn))
{
	envid_t child;
	int r;

	set_pgfault_handler(pgfault);
	if ((child = sys_exofork()) < 0)
		return child;
	if (child == 0) {
		/* The child: the kernel gave it our registers, and eax 0. */
		thisenv = &envs[ENVX(sys_getenvid())];
		return 0;
	}

	for (unsigned group = ROUNDUP(PDX(UTOP), GROUP); group > 0;) {
		group -= GROUP;
		if (!any_present(&uvpd[group]))
			continue;
		for (unsigned pdx = group + GROUP; pdx-- > group;) {
			if (pdx >= PDX(UTOP) || !(uvpd[pdx] & PTE_P))
				continue;
			if ((r = give_table(child, pdx, give)) < 0) {
				sys_env_destroy(child);
				return r;
			}
		}
	}
	return start_child(child);
}
#endif

/*
 * fork: a copy-on-write fork (lab 4, exercise 12).
 *
 * Installs pgfault as the page fault handler, creates a child
 * (sys_exofork), gives it every page mapped below UTOP with duppage,
 * except the exception stack (it gets a fresh one), sets its page
 * fault upcall and makes it runnable.
 *
 * Returns the child's envid to the parent and 0 to the child; or a
 * negative error (-E_NO_FREE_ENV, -E_NO_MEM) to the parent, with no
 * child left behind.  The child must set `thisenv` to its own Env.
 *
 * Its cost must grow with the pages mapped, not with the size of the
 * address space: skip a whole page table at once when uvpd[] says it
 * is absent, rather than looking at its 1024 PTE slots.
 */
envid_t
fork(void)
{
#if SOL >= 4
	return fork_giving(duppage);
#else
	/* LAB 4: Your code here (exercise 12). */
	panic("fork: not implemented (lab 4, exercise 12)");
#endif
}

#if SOL >= 4
/* sfork's stack: [sfork_stack_bottom, USTACKTOP). */
static uintptr_t sfork_stack_bottom;

/* How sfork gives page pn to the child: the stack and the page of
 * `thisenv` as fork does, every other page shared as it is. */
static int
sfork_page(envid_t child, unsigned pn)
{
	uintptr_t va = pn << PGSHIFT;

	if ((va >= sfork_stack_bottom && va < USTACKTOP) ||
	    va == (uintptr_t) ROUNDDOWN(&thisenv, PGSIZE))
		return duppage(child, pn);
	if (uvpt[pn] & PTE_COW) /* make it ours */
		*(volatile char *) va = *(volatile char *) va;
	return sys_page_map(0, (void *) va, child, (void *) va,
			    uvpt[pn] & PTE_SYSCALL);
}
#endif

/*
 * sfork: fork with shared memory (lab 4, challenge).  Parent and child
 * share every page, writable ones included, except the normal stack,
 * which is copy-on-write as in fork (each needs its own), and the
 * exception stack.  `thisenv` lives in the private page of the library
 * (lib/libmain.c, THISENV_PAGE): each side keeps its own.
 *
 * Copy-on-write pages are made private to the parent first (by writing
 * them), so that what is shared is one writable page.
 */
envid_t
sfork(void)
{
#if SOL >= 4
	/* The stack: the mapped pages just below USTACKTOP. */
	sfork_stack_bottom = USTACKTOP;
	while ((uvpd[PDX(sfork_stack_bottom - PGSIZE)] & PTE_P) &&
	       (uvpt[PGNUM(sfork_stack_bottom - PGSIZE)] & PTE_P))
		sfork_stack_bottom -= PGSIZE;
	return fork_giving(sfork_page);
#else
	/* Challenge: sfork. */
	return -E_NOT_SUPP;
#endif
}
