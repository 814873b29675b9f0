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

	/* From the top down: lab 5's file descriptors then reach the
	 * child with their data (above them) mapped first, which pipes
	 * rely on (pipeisclosed in lib/pipe.c). */
	for (unsigned pdx = PDX(UTOP); pdx-- > 0;) {
		if (!(uvpd[pdx] & PTE_P))
			continue;
		/* Four PTEs at a time, the groups and the PTEs within each
		 * group descending too: most slots of a page table are
		 * empty, and one test rules out four of them. */
		for (unsigned pn = (pdx + 1) * NPTENTRIES;
		     pn > pdx * NPTENTRIES;) {
			pn -= 4;
			if (!((uvpt[pn] | uvpt[pn + 1] | uvpt[pn + 2] |
			       uvpt[pn + 3]) &
			      PTE_P))
				continue;
			for (unsigned i = pn + 4; i-- > pn;) {
				if (!(uvpt[i] & PTE_P) ||
				    i == PGNUM(UXSTACKTOP - PGSIZE))
					continue;
				if ((r = duppage(child, i)) < 0) {
					sys_env_destroy(child);
					return r;
				}
			}
		}
	}
	return start_child(child);
#else
	/* LAB 4: Your code here (exercise 12). */
	panic("fork: not implemented (lab 4, exercise 12)");
#endif
}

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
	envid_t child;
	uintptr_t stack_bottom = USTACKTOP;
	int r;

	set_pgfault_handler(pgfault);
	/* The stack: the mapped pages just below USTACKTOP. */
	while ((uvpd[PDX(stack_bottom - PGSIZE)] & PTE_P) &&
	       (uvpt[PGNUM(stack_bottom - PGSIZE)] & PTE_P))
		stack_bottom -= PGSIZE;

	if ((child = sys_exofork()) < 0)
		return child;
	if (child == 0) {
		thisenv = &envs[ENVX(sys_getenvid())];
		return 0;
	}
	/* From the top down: lab 5's file descriptors then reach the
	 * child with their data (above them) mapped first, which pipes
	 * rely on (pipeisclosed in lib/pipe.c). */
	for (unsigned pdx = PDX(UTOP); pdx-- > 0;) {
		if (!(uvpd[pdx] & PTE_P))
			continue;
		for (unsigned pn = (pdx + 1) * NPTENTRIES;
		     pn-- > pdx * NPTENTRIES;) {
			uintptr_t va = pn << PGSHIFT;

			if (!(uvpt[pn] & PTE_P) || va == UXSTACKTOP - PGSIZE)
				continue;
			if ((va >= stack_bottom && va < USTACKTOP) ||
			    va == (uintptr_t) ROUNDDOWN(&thisenv, PGSIZE)) {
				r = duppage(child, pn);
			} else {
				if (uvpt[pn] & PTE_COW) /* make it ours */
					*(volatile char *) va =
						*(volatile char *) va;
				r = sys_page_map(0, (void *) va, child,
						 (void *) va,
						 uvpt[pn] & PTE_SYSCALL);
			}
			if (r < 0) {
				sys_env_destroy(child);
				return r;
			}
		}
	}
	return start_child(child);
#else
	/* Challenge: sfork. */
	return -E_NOT_SUPP;
#endif
}
