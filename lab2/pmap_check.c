/*
 * The self-checks mem_init runs at every boot (lab 2).
 *
 * They exercise the page allocator and the page table functions the
 * way the rest of the kernel will, and panic with what went wrong at
 * the first surprise.  Each prints "<name>() succeeded!" when it is
 * done; the grader looks for those lines.
 */
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/x86.h>
#include <kernel/pmap.h>
#include <kernel/memdetect.h>
#include <lab2/pmap_check.h>
#if LAB >= 3
#include <kernel/env.h>
#endif

/* Fails with the check's name and the condition that did not hold. */
#define check(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			panic("%s: expected %s", __func__, #cond);             \
	} while (0)

/*
 * The physical address va maps to in pgdir, or ~0 if none, found by
 * reading the tables directly (not through pgdir_walk, which is one of
 * the things being checked).
 */
static physaddr_t
check_va2pa(pde_t *pgdir, uintptr_t va)
{
	physaddr_t pa;
	int flags;

	return pgdir_translate(pgdir, va, &pa, &flags) ? pa : ~0;
}

/* The permissions (PTE_P, PTE_W, PTE_U) the CPU grants at va: both
 * levels must allow an access. */
static int
check_va_perm(pde_t *pgdir, uintptr_t va)
{
	physaddr_t pa;
	int flags;

	if (!pgdir_translate(pgdir, va, &pa, &flags))
		return 0;
	return flags & (PTE_U | PTE_W | PTE_P);
}

/* Three distinct pages from page_alloc, into *a, *b and *c. */
static void
check_alloc3(struct PageInfo **a, struct PageInfo **b, struct PageInfo **c)
{
	*a = page_alloc(0);
	*b = page_alloc(0);
	*c = page_alloc(0);
	check(*a && *b && *c);
	check(*a != *b && *b != *c && *a != *c);
}

/* [va, va + size) maps [pa, pa + size) in pgdir, and of PTE_U and
 * PTE_W the CPU grants exactly `perm` there; `what` names the range in
 * the panic otherwise. */
static void
check_mapped(pde_t *pgdir, const char *what, uintptr_t va, physaddr_t pa,
	     size_t size, int perm)
{
	for (size_t i = 0; i < size; i += PGSIZE) {
		if (check_va2pa(pgdir, va + i) != pa + i)
			panic("%s: va %08x does not map the page it should",
			      what, va + i);
		if ((check_va_perm(pgdir, va + i) & (PTE_U | PTE_W)) != perm)
			panic("%s: va %08x has the wrong permissions", what,
			      va + i);
	}
}

/* Nothing is mapped in [va, va + size). */
static void
check_unmapped(pde_t *pgdir, uintptr_t va, size_t size)
{
	for (size_t i = 0; i < size; i += PGSIZE)
		check(check_va2pa(pgdir, va + i) == (physaddr_t) ~0);
}

/*
 * Every page on the free list is a real, free, allocatable page.  On
 * the first call (before the switch to kern_pgdir) it also moves the
 * pages the entry page directory maps to the front, so that the next
 * checks can use them whatever order page_init chose.
 */
void
check_page_free_list(bool only_low_memory)
{
	physaddr_t limit = only_low_memory ? ENTRY_MAPPED : npages * PGSIZE;
	physaddr_t kernel_end;
	size_t nlow = 0, nhigh = 0;

	check(page_free_list != NULL);
	/* Also: no cycle (a double free), before the loops below. */
	page_free_count();

	if (only_low_memory) {
		struct PageInfo *low = NULL, *high = NULL;
		struct PageInfo **low_tail = &low, **high_tail = &high;
		for (struct PageInfo *pp = page_free_list; pp;
		     pp = pp->pp_link) {
			if (page2pa(pp) < limit) {
				*low_tail = pp;
				low_tail = &pp->pp_link;
			} else {
				*high_tail = pp;
				high_tail = &pp->pp_link;
			}
		}
		*high_tail = NULL;
		*low_tail = high;
		page_free_list = low;
	}

	/* Scribble on free pages: a page in use that is also on the
	 * free list gets noticed quickly. */
	for (struct PageInfo *pp = page_free_list; pp; pp = pp->pp_link)
		if (page2pa(pp) < limit)
			memset(page2kva(pp), 0x97, 128);

	extern char end[];
	kernel_end = ROUNDUP(PADDR(end), PGSIZE);
	for (struct PageInfo *pp = page_free_list; pp; pp = pp->pp_link) {
		physaddr_t pa;

		check(pp >= pages && pp < pages + npages);
		check(((char *) pp - (char *) pages) % sizeof(*pp) == 0);
		pa = page2pa(pp);
		check(pa != 0);
		check(pa < IOPHYSMEM || pa >= EXTPHYSMEM);
		check(pa < EXTPHYSMEM || pa >= kernel_end);
		check(pa < PADDR(kern_pgdir) ||
		      pa >= PADDR(kern_pgdir) + PGSIZE);
		check(pa < PADDR(pages) ||
		      pa >= PADDR(pages) + npages * sizeof(struct PageInfo));
#if LAB >= 3
		check(envs == NULL || pa < PADDR(envs) ||
		      pa >= PADDR(envs) + NENV * sizeof(struct Env));
#endif
#if LAB >= 4
		check(pa != MPENTRY_PADDR);
#endif
		check(page_is_ram(pa));
		check(pp->pp_ref == 0);
		if (pa < limit)
			nlow++;
		else
			nhigh++;
	}
	check(nlow > 0);
	cprintf("check_page_free_list() succeeded!\n");
}

/* page_alloc and page_free: distinct pages, running out, zeroing. */
void
check_page_alloc(void)
{
	struct PageInfo *pp0, *pp1, *pp2, *pp, *saved;
	size_t nfree = page_free_count();
	char *c;

	check(pages != NULL);

	check_alloc3(&pp0, &pp1, &pp2);
	check(page2pa(pp0) < npages * PGSIZE);
	check(page2pa(pp1) < npages * PGSIZE);
	check(page2pa(pp2) < npages * PGSIZE);
	check(pp0->pp_link == NULL && pp1->pp_link == NULL);

	/* With the free list emptied, allocation must fail cleanly. */
	saved = page_free_list;
	page_free_list = NULL;
	check(page_alloc(0) == NULL);

	page_free(pp0);
	page_free(pp1);
	page_free(pp2);
	check_alloc3(&pp0, &pp1, &pp2);
	check(page_alloc(0) == NULL);

	/* ALLOC_ZERO really zeroes (the only free page is pp0). */
	memset(page2kva(pp0), 1, PGSIZE);
	page_free(pp0);
	pp = page_alloc(ALLOC_ZERO);
	check(pp == pp0);
	c = page2kva(pp);
	for (int i = 0; i < PGSIZE; i++)
		check(c[i] == 0);

	page_free_list = saved;
	page_free(pp0);
	page_free(pp1);
	page_free(pp2);
	check(page_free_count() == nfree);
	cprintf("check_page_alloc() succeeded!\n");
}

/* page_insert, page_lookup, page_remove and pgdir_walk, on kern_pgdir
 * before it is loaded (nothing below UTOP is mapped in it yet). */
void
check_page(void)
{
	struct PageInfo *pp0, *pp1, *pp2, *saved;
	pte_t *ptep, *table;
	uintptr_t va;

	check_alloc3(&pp0, &pp1, &pp2);

	saved = page_free_list;
	page_free_list = NULL;

	/* Nothing is mapped at 0, and with no free page for a page
	 * table, page_insert must fail. */
	check(page_lookup(kern_pgdir, (void *) 0x0, &ptep) == NULL);
	check(page_insert(kern_pgdir, pp1, (void *) 0x0, PTE_W) < 0);

	/* Now pp0 is the only free page: it becomes the page table. */
	page_free(pp0);
	check(page_insert(kern_pgdir, pp1, (void *) 0x0, PTE_W) == 0);
	check(PTE_ADDR(kern_pgdir[0]) == page2pa(pp0));
	check(check_va2pa(kern_pgdir, 0x0) == page2pa(pp1));
	check(pp1->pp_ref == 1);
	check(pp0->pp_ref == 1);

	/* A second page in the same page table needs no new table. */
	check(page_insert(kern_pgdir, pp2, (void *) PGSIZE, PTE_W) == 0);
	check(check_va2pa(kern_pgdir, PGSIZE) == page2pa(pp2));
	check(pp2->pp_ref == 1);
	check(page_alloc(0) == NULL);

	/* Mapping the same page at the same place again keeps one
	 * reference and frees nothing. */
	check(page_insert(kern_pgdir, pp2, (void *) PGSIZE, PTE_W) == 0);
	check(check_va2pa(kern_pgdir, PGSIZE) == page2pa(pp2));
	check(pp2->pp_ref == 1);
	check(page_alloc(0) == NULL);

	/* pgdir_walk finds the PTE inside the page table. */
	table = (pte_t *) KADDR(PTE_ADDR(kern_pgdir[PDX(PGSIZE)]));
	check(pgdir_walk(kern_pgdir, (void *) PGSIZE, 0) ==
	      table + PTX(PGSIZE));

	/* Permissions change in place, and the directory entry lets the
	 * page table's permissions through. */
	check(page_insert(kern_pgdir, pp2, (void *) PGSIZE, PTE_W | PTE_U) ==
	      0);
	check(check_va2pa(kern_pgdir, PGSIZE) == page2pa(pp2));
	check(pp2->pp_ref == 1);
	check(*pgdir_walk(kern_pgdir, (void *) PGSIZE, 0) & PTE_U);
	check(kern_pgdir[0] & PTE_U);
	check(page_insert(kern_pgdir, pp2, (void *) PGSIZE, PTE_W) == 0);
	check(*pgdir_walk(kern_pgdir, (void *) PGSIZE, 0) & PTE_W);
	check(!(*pgdir_walk(kern_pgdir, (void *) PGSIZE, 0) & PTE_U));

	/* A mapping that needs a new page table fails: none is free. */
	check(page_insert(kern_pgdir, pp0, (void *) PTSIZE, PTE_W) < 0);

	/* Replacing pp2 with pp1 at PGSIZE drops pp2's last reference. */
	check(page_insert(kern_pgdir, pp1, (void *) PGSIZE, PTE_W) == 0);
	check(check_va2pa(kern_pgdir, 0) == page2pa(pp1));
	check(check_va2pa(kern_pgdir, PGSIZE) == page2pa(pp1));
	check(pp1->pp_ref == 2);
	check(pp2->pp_ref == 0);
	check(page_alloc(0) == pp2); /* it went back on the free list */

	/* Unmapping drops references; the last one frees the page. */
	page_remove(kern_pgdir, (void *) 0x0);
	check(check_va2pa(kern_pgdir, 0x0) == (physaddr_t) ~0);
	check(check_va2pa(kern_pgdir, PGSIZE) == page2pa(pp1));
	check(pp1->pp_ref == 1);
	page_remove(kern_pgdir, (void *) PGSIZE);
	check(check_va2pa(kern_pgdir, PGSIZE) == (physaddr_t) ~0);
	check(pp1->pp_ref == 0);
	check(page_alloc(0) == pp1);
	check(page_alloc(0) == NULL);
	/* Removing what is not mapped is fine. */
	page_remove(kern_pgdir, (void *) (3 * PGSIZE));

	/* Take the page table pp0 back by hand. */
	check(PTE_ADDR(kern_pgdir[0]) == page2pa(pp0));
	kern_pgdir[0] = 0;
	check(pp0->pp_ref == 1);
	pp0->pp_ref = 0;

	/* pgdir_walk with create: a new, zeroed page table, and the
	 * right entry in it. */
	memset(page2kva(pp0), 0xFF, PGSIZE);
	page_free(pp0);
	va = PTSIZE + 5 * PGSIZE;
	ptep = pgdir_walk(kern_pgdir, (void *) va, 1);
	check(ptep != NULL);
	check(PTE_ADDR(kern_pgdir[PDX(va)]) == page2pa(pp0));
	table = (pte_t *) KADDR(PTE_ADDR(kern_pgdir[PDX(va)]));
	check(ptep == table + PTX(va));
	for (int i = 0; i < NPTENTRIES; i++)
		check(table[i] == 0);
	check(pgdir_walk(kern_pgdir, (void *) (2 * PTSIZE), 0) == NULL);
	kern_pgdir[PDX(va)] = 0;
	pp0->pp_ref = 0;

	page_free_list = saved;
	page_free(pp0);
	page_free(pp1);
	page_free(pp2);
	cprintf("check_page() succeeded!\n");
}

/*
 * Panics if pgdir lets the user see any page other than pages[] at
 * UPAGES and envs[] at UENVS (each rounded up to a page) and the page
 * tables at UVPT.  Follows the tables: only present directory entries
 * that allow user access are looked into.
 */
static void
check_user_visible(pde_t *pgdir)
{
	uintptr_t pages_end =
		UPAGES + ROUNDUP(npages * sizeof(struct PageInfo), PGSIZE);
	uintptr_t envs_end = UENVS;
#if LAB >= 3
	if (envs != NULL)
		envs_end += ROUNDUP(NENV * sizeof(struct Env), PGSIZE);
#endif

	for (uintptr_t pdx = 0; pdx < NPDENTRIES; pdx++) {
		if ((pgdir[pdx] & (PTE_P | PTE_U)) != (PTE_P | PTE_U) ||
		    pdx == PDX(UVPT))
			continue;
		for (uintptr_t ptx = 0; ptx < NPTENTRIES; ptx++) {
			uintptr_t va = (uintptr_t) PGADDR(pdx, ptx, 0);
			if (!(check_va_perm(pgdir, va) & PTE_U))
				continue;
			if ((va >= UPAGES && va < pages_end) ||
			    (va >= UENVS && va < envs_end))
				continue;
			panic("check_kern_pgdir: va %08x is user-visible, but "
			      "only pages[] (UPAGES..%08x) and envs[] "
			      "(UENVS..%08x) may be: map each array's size "
			      "rounded up to a page, not more",
			      va, pages_end, envs_end);
		}
	}
}

/* Every mapping mem_init promised, with the right permissions. */
void
check_kern_pgdir(void)
{
	pde_t *pgdir = kern_pgdir;

	/* pages[] at UPAGES: user read-only. */
	check_mapped(pgdir, "check_kern_pgdir: pages[] at UPAGES", UPAGES,
		     PADDR(pages),
		     ROUNDUP(npages * sizeof(struct PageInfo), PGSIZE), PTE_U);

#if LAB >= 3
	/* envs[] at UENVS: user read-only.  (Skipped until lab 3's
	 * exercise 1 allocates envs, so that lab 2 can still pass.) */
	if (envs != NULL)
		check_mapped(pgdir, "check_kern_pgdir: envs[] at UENVS", UENVS,
			     PADDR(envs),
			     ROUNDUP(NENV * sizeof(struct Env), PGSIZE), PTE_U);
#endif

	/* Nothing else is user-visible, except the page tables at UVPT:
	 * no PTSIZE-wide slot that exposes whatever follows the arrays. */
	check_user_visible(pgdir);

	/* Physical memory at KERNBASE: kernel read/write only. */
	check_mapped(pgdir, "check_kern_pgdir: KERNBASE", KERNBASE, 0,
		     npages * PGSIZE, PTE_W);

	/* The boot stack, and the unmapped guard below it. */
	check_mapped(pgdir, "check_kern_pgdir: the boot stack",
		     KSTACKTOP - KSTKSIZE, PADDR(bootstack), KSTKSIZE, PTE_W);
	check_unmapped(pgdir, KSTACKTOP - PTSIZE, PTSIZE - KSTKSIZE);

	/* Directory entries: present exactly where something is mapped
	 * (nothing below UTOP yet), and UVPT read-only for the user. */
	for (size_t i = 0; i < NPDENTRIES; i++) {
		uintptr_t va = i << PDXSHIFT;

		if (va == UVPT)
			check((pgdir[i] & (PTE_P | PTE_U | PTE_W)) ==
			      (PTE_P | PTE_U));
		else if (va == UPAGES || va == KSTACKTOP - PTSIZE)
			check(pgdir[i] & PTE_P);
#if LAB >= 3
		else if (va == UENVS && envs != NULL)
			check(pgdir[i] & PTE_P);
#endif
		else if (va >= KERNBASE)
			check((pgdir[i] & (PTE_P | PTE_W)) == (PTE_P | PTE_W));
		else
			check(pgdir[i] == 0);
	}
	cprintf("check_kern_pgdir() succeeded!\n");
}

/* With kern_pgdir loaded: page_insert really changes what an address
 * reads, so the TLB is being invalidated. */
void
check_page_installed_pgdir(void)
{
	struct PageInfo *pp0, *pp1, *pp2, *table;
	volatile uint32_t *va = (volatile uint32_t *) PGSIZE;

	check_alloc3(&pp0, &pp1, &pp2);
	page_free(pp0);
	memset(page2kva(pp1), 1, PGSIZE);
	memset(page2kva(pp2), 2, PGSIZE);

	check(page_insert(kern_pgdir, pp1, (void *) va, PTE_W) == 0);
	check(pp1->pp_ref == 1);
	check(*va == 0x01010101U);

	/* Replacing the mapping must flush the old translation. */
	check(page_insert(kern_pgdir, pp2, (void *) va, PTE_W) == 0);
	check(*va == 0x02020202U);
	check(pp2->pp_ref == 1);
	check(pp1->pp_ref == 0);

	/* Writes through the mapping land in the page. */
	*va = 0x03030303U;
	check(*(uint32_t *) page2kva(pp2) == 0x03030303U);
	page_remove(kern_pgdir, (void *) va);
	check(pp2->pp_ref == 0);

	/* Give back the page table the mapping needed. */
	table = pa2page(PTE_ADDR(kern_pgdir[0]));
	check(table->pp_ref == 1);
	table->pp_ref = 0;
	kern_pgdir[0] = 0;
	page_free(table);
	cprintf("check_page_installed_pgdir() succeeded!\n");
}

#if LAB >= 4
#include <kernel/cpu.h>

/*
 * Checks mem_init_mp's work before boot_aps starts any CPU: each CPU's
 * stack mapped to its percpu_kstacks[] entry, kernel read/write, with
 * an unmapped gap below.  Returns false, saying so, when nothing is
 * mapped yet (the exercise is not done: one CPU is enough for now);
 * panics on a wrong mapping.
 */
bool
check_percpu_kstacks(void)
{
	pde_t *pgdir = kern_pgdir;

	if (check_va2pa(pgdir, cpu_kstacktop(1) - PGSIZE) == (physaddr_t) ~0) {
		cprintf("SMP: CPU 1's kernel stack is not mapped "
			"(mem_init_mp, lab 4, exercise 3)\n");
		return false;
	}
	for (int n = 0; n < NCPU; n++) {
		uintptr_t top = cpu_kstacktop(n);
		check_mapped(pgdir, "check_percpu_kstacks", top - KSTKSIZE,
			     PADDR(percpu_kstacks[n]), KSTKSIZE, PTE_W);
		check_unmapped(pgdir, top - KSTKSIZE - KSTKGAP, KSTKGAP);
	}
	cprintf("check_percpu_kstacks() succeeded!\n");
	return true;
}
#endif
