/*
 * Physical page management and page tables.
 *
 * Every physical page has a struct PageInfo in pages[].  Free pages are
 * linked through pp_link on page_free_list; pp_ref counts how many
 * virtual mappings point at a page.  A page goes back on the free list
 * when its last mapping is removed (page_decref).
 *
 * The x86 translates a virtual address through two levels: the page
 * directory (pointed to by CR3) selects a page table, the page table
 * selects a page (see inc/mmu.h for the address fields).  pgdir_walk
 * finds, and if asked creates, the page table entry for an address;
 * the other functions build on it.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <kernel/pmap.h>
#include <kernel/memdetect.h>
#include <lab2/pmap_check.h>
#if LAB >= 3
#include <kernel/env.h>
#endif

size_t npages;			 /* physical pages we manage */
pde_t *kern_pgdir;		 /* the kernel's page directory */
struct PageInfo *pages;		 /* the PageInfo of every physical page */
struct PageInfo *page_free_list; /* shared with lab2/pmap_check.c */

/*
 * boot_alloc(n): the kernel's allocator before the page allocator
 * exists (lab 2, exercise 1).
 *
 * Returns the kernel virtual address of n bytes of memory, rounded up
 * to whole pages, from the memory just past the kernel's image (the
 * linker's `end`); boot_alloc(0) returns where the next allocation
 * would start, without allocating.  The memory is not initialized.
 *
 * Used only while mem_init sets things up; after page_init, page_alloc
 * takes over and boot_alloc must not be called again.
 *
 * Panics if the allocation would run past the physical memory the
 * machine has (npages), saying how much is needed, or past what
 * kernel/entry.S's page directory maps (ENTRY_MAPPED, 16 MiB).
 *
 * Hint: keep the next free address in a static variable; ROUNDUP
 * (inc/types.h) rounds to a page boundary.
 */
static void *
boot_alloc(uint32_t n)
{
#if SOL >= 2
	/* The first free byte after the kernel's bss, which the linker
	 * marks with `end`; only valid before any allocation is made. */
	static char *nextfree;
	extern char end[];

	if (!nextfree)
		nextfree = ROUNDUP((char *) end, PGSIZE);

	char *result = nextfree;
	physaddr_t new_end = PADDR(result) + ROUNDUP(n, PGSIZE);
	if (new_end > npages * PGSIZE)
		panic("boot_alloc: out of memory: the kernel needs at least "
		      "%uK of RAM and the machine has %uK",
		      (unsigned) (new_end / 1024),
		      (unsigned) (npages * PGSIZE / 1024));
	if (new_end > ENTRY_MAPPED)
		panic("boot_alloc: allocation past the %u MiB the entry page "
		      "directory maps",
		      (unsigned) (ENTRY_MAPPED >> 20));
	nextfree = result + ROUNDUP(n, PGSIZE);
	return result;
#else
	/* LAB 2: Your code here (exercise 1). */
	panic("boot_alloc: not implemented (lab 2, exercise 1)");
#endif
}

/*
 * mem_init: set up the kernel's address space (lab 2).
 *
 * Builds a two-level page table, kern_pgdir, that maps
 *   UPAGES      pages[], read-only for the user too: exactly
 *               ROUNDUP(npages * sizeof(struct PageInfo), PGSIZE)
 *               bytes, no more
 *   UENVS       (lab 3) envs[], likewise exactly
 *               ROUNDUP(NENV * sizeof(struct Env), PGSIZE) bytes
 *   KSTACKTOP   the boot stack (KSTKSIZE), with an unmapped guard gap
 *               of KSTKGAP below it so that an overflow faults
 *   KERNBASE    all of physical memory, [0, 2^32 - KERNBASE)
 *   UVPT        the page tables themselves (the recursive entry)
 * then switches to it and turns on the CR0 bits the kernel relies on.
 * The kernel-only mappings are not user-accessible.  Nothing else is
 * user-visible: mapping a whole PTSIZE at UPAGES or UENVS (as some
 * older course kernels do) would let every program read free pages and
 * page tables that follow the arrays, and check_kern_pgdir rejects it.
 */
void
mem_init(void)
{
	npages = detect_memory();
	if (npages * PGSIZE < MIN_PHYSICAL_MEMORY)
		panic("mem_init: ExoLab needs at least %uK of RAM and this "
		      "machine has %uK (give QEMU more: make MEM=32 ...)",
		      (unsigned) (MIN_PHYSICAL_MEMORY / 1024),
		      (unsigned) (npages * PGSIZE / 1024));

	/* The kernel's page directory, from the boot allocator. */
	kern_pgdir = (pde_t *) boot_alloc(PGSIZE);
	memset(kern_pgdir, 0, PGSIZE);

	/* The recursive entry: mapping the page directory as a page
	 * table at UVPT makes every page table appear, in order, as
	 * one 4 MiB array at UVPT (read-only, and user-readable: the
	 * library OS reads its own page tables there). */
	kern_pgdir[PDX(UVPT)] = PADDR(kern_pgdir) | PTE_U | PTE_P;

	/*
	 * Exercise 1: allocate `pages`, an array of npages struct
	 * PageInfo, with boot_alloc, and zero it.
	 */
#if SOL >= 2
	pages = boot_alloc(npages * sizeof(struct PageInfo));
	memset(pages, 0, npages * sizeof(struct PageInfo));
#else
	/* LAB 2: Your code here (exercise 1). */
#endif

#if LAB >= 3
	/*
	 * Lab 3, exercise 1: allocate `envs`, an array of NENV struct
	 * Env, the same way.
	 */
#if SOL >= 3
	envs = boot_alloc(NENV * sizeof(struct Env));
	memset(envs, 0, NENV * sizeof(struct Env));
#else
	/* LAB 3: Your code here (exercise 1). */
#endif
#endif

	/* From here on, page_alloc and friends manage memory. */
	page_init();

	check_page_free_list(true);
	check_page_alloc();
	check_page();

	/*
	 * Exercise 5: map into kern_pgdir, with boot_map_region:
	 *  - pages[] at UPAGES, readable by the user (PTE_U) and the
	 *    kernel, writable by neither (the kernel writes pages[]
	 *    through its KERNBASE address): the array's size rounded
	 *    up to a page, ROUNDUP(npages * sizeof(struct PageInfo),
	 *    PGSIZE) bytes - not the whole PTSIZE slot;
	 *  - the boot stack at [KSTACKTOP - KSTKSIZE, KSTACKTOP), kernel
	 *    read/write; leave [KSTACKTOP - PTSIZE, KSTACKTOP - KSTKSIZE)
	 *    unmapped as the guard;
	 *  - all physical memory at KERNBASE: [KERNBASE, 2^32) ->
	 *    [0, 2^32 - KERNBASE), kernel read/write.
	 */
#if SOL >= 2
	boot_map_region(kern_pgdir, UPAGES,
			ROUNDUP(npages * sizeof(struct PageInfo), PGSIZE),
			PADDR(pages), PTE_U);
	boot_map_region(kern_pgdir, KSTACKTOP - KSTKSIZE, KSTKSIZE,
			PADDR(bootstack), PTE_W);
	boot_map_region(kern_pgdir, KERNBASE, MAX_PHYSICAL_MEMORY, 0, PTE_W);
#else
	/* LAB 2: Your code here (exercise 5). */
#endif

#if LAB >= 3
	/*
	 * Lab 3, exercise 1: map envs[] at UENVS, user read-only, as
	 * pages[] is at UPAGES: ROUNDUP(NENV * sizeof(struct Env),
	 * PGSIZE) bytes, not the whole PTSIZE slot.
	 */
#if SOL >= 3
	boot_map_region(kern_pgdir, UENVS,
			ROUNDUP(NENV * sizeof(struct Env), PGSIZE), PADDR(envs),
			PTE_U);
#else
	/* LAB 3: Your code here (exercise 1). */
#endif
#endif

	check_kern_pgdir();

	/* Switch from the entry page directory to the full one. */
	lcr3(PADDR(kern_pgdir));

	check_page_free_list(false);

	/* Protection on (PE), paging on (PG), and WP: the kernel may not
	 * write a read-only page either; copy-on-write fork relies on
	 * the same rule holding everywhere.  TS and EM off: no FPU
	 * emulation traps. */
	lcr0((rcr0() | CR0_PE | CR0_PG | CR0_AM | CR0_WP | CR0_NE | CR0_MP) &
	     ~(CR0_TS | CR0_EM));

	check_page_installed_pgdir();
}

/* Whether physical page number pn holds something page_init must keep
 * off the free list. */
static bool
page_is_reserved(size_t pn)
{
	physaddr_t pa = pn * PGSIZE;
	/* Everything from the I/O hole to the last boot allocation:
	 * VGA memory, the BIOS, the kernel image, kern_pgdir, pages[]. */
	physaddr_t kernel_end = PADDR(boot_alloc(0));

	if (pn == 0)
		return true; /* the real-mode IDT and BIOS data area */
	if (pa >= IOPHYSMEM && pa < kernel_end)
		return true;
#if LAB >= 4
	if (pa == MPENTRY_PADDR)
		return true; /* where the other CPUs start (lab 4) */
#endif
	return !page_is_ram(pa);
}

/*
 * page_init: put every free physical page on page_free_list
 * (lab 2, exercise 1).
 *
 * Free means all of these hold:
 *  - it is not physical page 0, which holds the real-mode interrupt
 *    table and BIOS data (worth keeping for later);
 *  - it is not in the I/O hole [IOPHYSMEM, EXTPHYSMEM), where VGA
 *    memory and the BIOS ROM live;
 *  - it is not used by the kernel's image or by boot_alloc: everything
 *    from EXTPHYSMEM to PADDR(boot_alloc(0));
 *  - from lab 4 on, it is not MPENTRY_PADDR (the other CPUs' startup
 *    code goes there);
 *  - it is RAM: page_is_ram() (kernel/memdetect.c) says no for holes
 *    in the firmware's memory map.
 * Every page's pp_ref starts at 0; pp_link is NULL for pages not free.
 *
 * Hint: page_is_reserved() above tells you all of that for one page;
 * the order of the free list is up to you, but the self-checks are
 * fastest with low pages at the head of the list.
 */
void
page_init(void)
{
#if SOL >= 2
	/* Walk downwards and push, so the lowest page ends up first. */
	page_free_list = NULL;
	for (size_t pn = npages; pn-- > 0;) {
		pages[pn].pp_ref = 0;
		pages[pn].pp_link = NULL;
		if (page_is_reserved(pn))
			continue;
		pages[pn].pp_link = page_free_list;
		page_free_list = &pages[pn];
	}
#else
	/* LAB 2: Your code here (exercise 1). */
	panic("page_init: not implemented (lab 2, exercise 1)");
#endif
}

/*
 * page_alloc: take a page off the free list (lab 2, exercise 1).
 *
 * If alloc_flags has ALLOC_ZERO, fill the page with zeros (through
 * page2kva).  Does not increment pp_ref: the caller does, usually by
 * mapping the page (page_insert).  Sets the page's pp_link to NULL so
 * that page_free can catch a double free.
 *
 * Returns NULL if no page is free.
 */
struct PageInfo *
page_alloc(int alloc_flags)
{
#if SOL >= 2
	struct PageInfo *pp = page_free_list;

	if (pp == NULL)
		return NULL;
	page_free_list = pp->pp_link;
	pp->pp_link = NULL;
	if (alloc_flags & ALLOC_ZERO)
		memset(page2kva(pp), 0, PGSIZE);
	return pp;
#else
	/* LAB 2: Your code here (exercise 1). */
	return NULL;
#endif
}

/*
 * page_free: return a page to the free list (lab 2, exercise 1).
 *
 * Only for pages with no mappings: panics if pp_ref is not 0, or if
 * pp_link is not NULL or pp is page_free_list (the page is already
 * free).
 *
 * That test cannot catch every double free: the last page of the free
 * list has pp_link NULL too, exactly like a page in use, and nothing
 * else in a JOS-style list tells them apart (finding out would mean
 * walking the whole list on every free).  Freeing that page a second
 * time links it in front of the list it already ends: a cycle.  The
 * walks of the list (page_free_count below, check_page_free_list)
 * never take more than npages steps, and panic when they would.
 */
void
page_free(struct PageInfo *pp)
{
#if SOL >= 2
	if (pp->pp_ref != 0)
		panic("page_free: page %08lx still has %u references",
		      (unsigned long) page2pa(pp), pp->pp_ref);
	if (pp->pp_link != NULL || pp == page_free_list)
		panic("page_free: page %08lx is already free",
		      (unsigned long) page2pa(pp));
	pp->pp_link = page_free_list;
	page_free_list = pp;
#else
	/* LAB 2: Your code here (exercise 1). */
#endif
}

/* Drops one reference to a page, freeing it when none remain. */
void
page_decref(struct PageInfo *pp)
{
	if (--pp->pp_ref == 0)
		page_free(pp);
}

/*
 * The number of pages on the free list.  There are at most npages
 * distinct pages, so a longer walk means the list has a cycle: a page
 * was freed twice (see page_free).
 */
size_t
page_free_count(void)
{
	size_t n = 0;

	for (struct PageInfo *pp = page_free_list; pp; pp = pp->pp_link)
		if (++n > npages)
			panic("the free list has a cycle: some page was freed "
			      "twice (%08lx is on it)",
			      (unsigned long) page2pa(pp));
	return n;
}

/*
 * pgdir_walk: find the page table entry for virtual address va
 * (lab 2, exercise 4).
 *
 * Returns a pointer (a kernel virtual address) to the PTE for va in
 * the two-level table rooted at pgdir.  If the page table that would
 * hold it does not exist:
 *   - with create == 0, returns NULL;
 *   - otherwise allocates a zeroed page for it with page_alloc
 *     (returning NULL if that fails), counts the reference
 *     (pp_ref++), and installs it in the directory.
 *
 * The directory entry for a new page table gets PTE_P | PTE_W | PTE_U:
 * the x86 combines the permissions of both levels, so the PTEs alone
 * decide what is allowed.  (A PDE with PTE_PS maps a 4 MiB page and has
 * no page table below it: return NULL for it.)
 *
 * Hint: PDX, PTX, PTE_ADDR (inc/mmu.h); KADDR turns the page table's
 * physical address into one you can dereference.
 */
pte_t *
pgdir_walk(pde_t *pgdir, const void *va, int create)
{
#if SOL >= 2
	pde_t *pde = &pgdir[PDX(va)];

	if (!(*pde & PTE_P)) {
		if (!create)
			return NULL;
		struct PageInfo *pp = page_alloc(ALLOC_ZERO);
		if (pp == NULL)
			return NULL;
		pp->pp_ref++;
		*pde = page2pa(pp) | PTE_P | PTE_W | PTE_U;
	} else if (*pde & PTE_PS) {
		return NULL;
	}
	pte_t *table = KADDR(PTE_ADDR(*pde));
	return &table[PTX(va)];
#else
	/* LAB 2: Your code here (exercise 4). */
	return NULL;
#endif
}

/*
 * boot_map_region: map [va, va + size) to [pa, pa + size) in pgdir
 * with permissions perm | PTE_P (lab 2, exercise 4).
 *
 * size is a multiple of PGSIZE; va and pa are page-aligned.  For the
 * static mappings above UTOP only: it does not touch pp_ref.  Careful
 * with the KERNBASE mapping: va + size wraps around to 0.
 */
void
boot_map_region(pde_t *pgdir, uintptr_t va, size_t size, physaddr_t pa,
		int perm)
{
#if SOL >= 2
	/* Count pages rather than compare addresses: va + size may
	 * overflow to 0. */
	for (size_t i = 0; i < size / PGSIZE; i++) {
		pte_t *pte = pgdir_walk(pgdir, (void *) (va + i * PGSIZE), 1);
		if (pte == NULL)
			panic("boot_map_region: out of memory for page tables");
		*pte = (pa + i * PGSIZE) | perm | PTE_P;
	}
#else
	/* LAB 2: Your code here (exercise 4). */
#endif
}

/*
 * page_insert: map physical page pp at virtual address va with
 * permissions perm | PTE_P (lab 2, exercise 4).
 *
 * Whatever was mapped at va before is removed, as page_remove would
 * (its page loses a reference, the TLB entry for va is invalidated);
 * pp_ref goes up by one.
 *
 * Returns 0, or -E_NO_MEM if a page table was needed and none could be
 * allocated.
 *
 * Corner case: mapping the same page at the same va again (to change
 * its permissions) must work.  Think about the order of pp_ref++ and
 * page_remove: removing the only reference first would free the page.
 */
int
page_insert(pde_t *pgdir, struct PageInfo *pp, void *va, int perm)
{
#if SOL >= 2
	pte_t *pte = pgdir_walk(pgdir, va, 1);

	if (pte == NULL)
		return -E_NO_MEM;
	/* Take the new reference before dropping the old one, so that
	 * re-inserting the same page cannot free it on the way. */
	pp->pp_ref++;
	/* page_remove would walk the page tables again to find the PTE
	 * we hold: drop the old page here (every sys_page_map that
	 * replaces a mapping, copy-on-write's included, comes here). */
	if (*pte & PTE_P) {
		page_decref(pa2page(PTE_ADDR(*pte)));
		tlb_invalidate(pgdir, va);
	}
	*pte = page2pa(pp) | perm | PTE_P;
	return 0;
#else
	/* LAB 2: Your code here (exercise 4). */
	return -E_NO_MEM;
#endif
}

/*
 * page_lookup: the page mapped at va, or NULL if none
 * (lab 2, exercise 4).
 *
 * If pte_store is not NULL, stores the address of va's PTE in it (for
 * page_remove).  Does not create page tables.
 */
struct PageInfo *
page_lookup(pde_t *pgdir, void *va, pte_t **pte_store)
{
#if SOL >= 2
	pte_t *pte = pgdir_walk(pgdir, va, 0);

	if (pte == NULL || !(*pte & PTE_P))
		return NULL;
	if (pte_store)
		*pte_store = pte;
	return pa2page(PTE_ADDR(*pte));
#else
	/* LAB 2: Your code here (exercise 4). */
	return NULL;
#endif
}

/*
 * page_remove: unmap whatever is at va (lab 2, exercise 4).
 *
 * Drops the page's reference (page_decref, which frees it at zero),
 * clears the PTE, and invalidates the TLB entry.  Nothing mapped:
 * nothing to do.
 */
void
page_remove(pde_t *pgdir, void *va)
{
#if SOL >= 2
	pte_t *pte;
	struct PageInfo *pp = page_lookup(pgdir, va, &pte);

	if (pp == NULL)
		return;
	page_decref(pp);
	*pte = 0;
	tlb_invalidate(pgdir, va);
#else
	/* LAB 2: Your code here (exercise 4). */
#endif
}

/*
 * Invalidates the TLB entry for va.  The CPU caches translations and
 * does not notice a changed PTE by itself.  Strictly this is needed
 * only when pgdir is the directory in CR3, but dropping a cached entry
 * is always safe, and cheaper than finding out.
 */
void
tlb_invalidate(pde_t *pgdir, void *va)
{
	invlpg(va);
}

#if LAB >= 3
/* The first address user_mem_check found bad (for its caller's message). */
static uintptr_t user_mem_check_addr;

/*
 * user_mem_check: may environment env access [va, va + len) with
 * permissions perm | PTE_P? (lab 3, exercise 9)
 *
 * Every page the range touches must lie below ULIM and be mapped in
 * env's page tables with at least those permissions.  va and len need
 * not be page-aligned; len 0 is always fine; a range that wraps past
 * the top of the address space is not.
 *
 * Returns 0, or -E_FAULT after storing in user_mem_check_addr the
 * first bad address: va itself, or the start of the first bad page
 * after it.
 *
 * Hint: compute the end without overflow, or check for it first: with
 * va = 0xFFFFF000 and len = 0x2000, va + len is 0x1000.
 */
int
user_mem_check(struct Env *env, const void *va, size_t len, int perm)
{
#if SOL >= 3
	uintptr_t a = (uintptr_t) va;

	if (len == 0)
		return 0;
	perm |= PTE_P;
	/* Page by page, counting down the bytes left instead of
	 * computing va + len, which may wrap past 4 GiB: a stays below
	 * ULIM, and ULIM is page-aligned, so a + step never wraps. */
	for (;;) {
		size_t step = PGSIZE - a % PGSIZE; /* to the next page */
		pde_t pde;

		if (a >= ULIM) {
			user_mem_check_addr = a;
			return -E_FAULT;
		}
		/* pgdir_walk(env->env_pgdir, a, 0) written out, without
		 * its call: every upcall and checked pointer comes here. */
		pde = env->env_pgdir[PDX(a)];
		if (!(pde & PTE_P) || (pde & PTE_PS) ||
		    (((pte_t *) KADDR(PTE_ADDR(pde)))[PTX(a)] & perm) != perm) {
			user_mem_check_addr = a;
			return -E_FAULT;
		}
		if (len <= step)
			return 0;
		len -= step;
		a += step;
	}
#else
	/* LAB 3: Your code here (exercise 9). */
	user_mem_check_addr = (uintptr_t) va;
	panic("user_mem_check: not implemented (lab 3, exercise 9)");
#endif
}

/*
 * Like user_mem_check, but a failure destroys env, saying which
 * address was bad.  Returns only if the access is allowed (if env is
 * the current environment, a failure does not return at all).
 */
void
user_mem_assert(struct Env *env, const void *va, size_t len, int perm)
{
	if (user_mem_check(env, va, len, perm | PTE_U) < 0) {
		cprintf("[%08x] user_mem_check assertion failure for va %08x\n",
			env->env_id, user_mem_check_addr);
		env_destroy(env);
	}
}
#endif

#if LAB >= 4
#include <kernel/cpu.h>

/*
 * mmio_map_region: make the device registers at physical [pa, pa + size)
 * readable and writable by the kernel at the next free addresses of the
 * MMIO window [MMIOBASE, MMIOLIM), and return the virtual address of pa
 * (lab 4, exercise 1).
 *
 * pa need not be page-aligned: map the whole pages around the range,
 * and return the address that corresponds to pa itself.  Each call
 * takes the next pages of the window (a static variable remembers
 * where it is); regions are never unmapped.  Device registers are not
 * memory: the CPU must neither cache them nor delay writes to them, so
 * map them with PTE_PCD | PTE_PWT as well as PTE_W (and not PTE_U).
 *
 * Panics if the window has no room left.
 *
 * Hint: boot_map_region does the mapping.
 */
void *
mmio_map_region(physaddr_t pa, size_t size)
{
	static uintptr_t base = MMIOBASE; /* the next free address */

#if SOL >= 4
	physaddr_t first = ROUNDDOWN(pa, PGSIZE);
	size_t len = ROUNDUP((uint64_t) pa + size, PGSIZE) - first;
	uintptr_t va = base;

	if (len > MMIOLIM - base)
		panic("mmio_map_region: %u bytes at pa %08x do not fit in the "
		      "MMIO window (%u bytes left)",
		      (unsigned) size, (unsigned) pa,
		      (unsigned) (MMIOLIM - base));
	boot_map_region(kern_pgdir, va, len, first, PTE_PCD | PTE_PWT | PTE_W);
	base += len;
	return (void *) (va + PGOFF(pa));
#else
	/* LAB 4: Your code here (exercise 1). */
	(void) base;
	cprintf("mmio_map_region: not implemented (lab 4, exercise 1)\n");
	return NULL;
#endif
}

/*
 * mem_init_mp: map every CPU's kernel stack (lab 4, exercise 3).
 *
 * CPU i's stack is percpu_kstacks[i] (kernel/cpu.c), and it is mapped,
 * kernel read/write, at
 *     [cpu_kstacktop(i) - KSTKSIZE, cpu_kstacktop(i))
 * where cpu_kstacktop(i) = KSTACKTOP - i * (KSTKSIZE + KSTKGAP): below
 * each stack, KSTKGAP bytes stay unmapped, so that a stack overflow
 * faults instead of silently overwriting the next CPU's stack.  CPU 0
 * too moves from bootstack to percpu_kstacks[0] (the boot code keeps
 * running on bootstack through its KERNBASE address).  Map all NCPU
 * stacks, whether or not that many CPUs exist.
 *
 * boot_aps checks the result (check_percpu_kstacks) before it starts
 * any CPU: until this is written, the kernel runs on one CPU.
 */
void
mem_init_mp(void)
{
#if SOL >= 4
	for (int i = 0; i < NCPU; i++)
		boot_map_region(kern_pgdir, cpu_kstacktop(i) - KSTKSIZE,
				KSTKSIZE, PADDR(percpu_kstacks[i]), PTE_W);
#else
	/* LAB 4: Your code here (exercise 3). */
#endif
}
#endif
