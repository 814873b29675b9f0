/*
 * Physical pages and page tables (kernel/pmap.c), and the helpers that
 * convert between the three ways the kernel names a page:
 *
 *   physical address  physaddr_t      what the page tables hold
 *   kernel virtual    void *          KERNBASE + physical: how the
 *                                     kernel reads and writes the page
 *   PageInfo          struct PageInfo *  its entry in pages[]
 */
#ifndef KERNEL_PMAP_H
#define KERNEL_PMAP_H

#include <inc/memlayout.h>
#include <inc/assert.h>

struct Env;

extern char bootstacktop[], bootstack[];

extern struct PageInfo *pages;		/* one entry per physical page */
extern size_t npages;			/* how many physical pages we manage */
extern pde_t *kern_pgdir;		/* the kernel's page directory */
extern struct PageInfo *page_free_list; /* free pages, linked by pp_link */

/* Converts a kernel virtual address (KERNBASE and up) to physical. */
#define PADDR(kva) _paddr(__FILE__, __LINE__, kva)

static inline physaddr_t
_paddr(const char *file, int line, void *kva)
{
	if ((uintptr_t) kva < KERNBASE)
		_panic(file, line, "PADDR called with invalid kva %08lx",
		       (unsigned long) kva);
	return (physaddr_t) kva - KERNBASE;
}

/* Converts a physical address to its kernel virtual address. */
#define KADDR(pa) _kaddr(__FILE__, __LINE__, pa)

static inline void *
_kaddr(const char *file, int line, physaddr_t pa)
{
	if (PGNUM(pa) >= npages)
		_panic(file, line, "KADDR called with invalid pa %08lx",
		       (unsigned long) pa);
	return (void *) (pa + KERNBASE);
}

enum {
	/* For page_alloc: fill the page with zeros. */
	ALLOC_ZERO = 1 << 0,
};

void mem_init(void);

void page_init(void);
struct PageInfo *page_alloc(int alloc_flags);
void page_free(struct PageInfo *pp);
void page_decref(struct PageInfo *pp);

pte_t *pgdir_walk(pde_t *pgdir, const void *va, int create);
void boot_map_region(pde_t *pgdir, uintptr_t va, size_t size, physaddr_t pa,
		     int perm);
int page_insert(pde_t *pgdir, struct PageInfo *pp, void *va, int perm);
void page_remove(pde_t *pgdir, void *va);
struct PageInfo *page_lookup(pde_t *pgdir, void *va, pte_t **pte_store);
void tlb_invalidate(pde_t *pgdir, void *va);

/* Lab 3: checking user pointers before the kernel touches them. */
int user_mem_check(struct Env *env, const void *va, size_t len, int perm);
void user_mem_assert(struct Env *env, const void *va, size_t len, int perm);

#if LAB >= 4
/* Lab 4: device registers in the MMIO window, and the CPUs' stacks. */
void *mmio_map_region(physaddr_t pa, size_t size);
void mem_init_mp(void);
#endif

/* How many pages are on the free list (for checks and the monitor). */
size_t page_free_count(void);

static inline physaddr_t
page2pa(struct PageInfo *pp)
{
	return (pp - pages) << PGSHIFT;
}

/*
 * How pgdir maps va, read from the tables directly, the way the MMU
 * does (not through pgdir_walk, which the self-checks test): true if
 * va is mapped, with its physical address (of the page: the low 12
 * bits are 0) in *pa and its flags in *flags, where PTE_W and PTE_U
 * are set only if both levels grant them.  The monitor's memory
 * commands and the self-checks share it.
 */
static inline bool
pgdir_translate(const pde_t *pgdir, uintptr_t va, physaddr_t *pa, int *flags)
{
	pde_t pde = pgdir[PDX(va)];
	pte_t pte;

	if (!(pde & PTE_P))
		return false;
	if (pde & PTE_PS) {
		*pa = (pde & ~(PTSIZE - 1)) | (va & (PTSIZE - 1) & ~0xFFF);
		*flags = pde & 0xFFF;
		return true;
	}
	pte = ((const pte_t *) (PTE_ADDR(pde) + KERNBASE))[PTX(va)];
	if (!(pte & PTE_P))
		return false;
	*pa = PTE_ADDR(pte);
	*flags = (pte & 0xFFF & ~(PTE_W | PTE_U)) |
		 (pte & pde & (PTE_W | PTE_U));
	return true;
}

/* The page that holds physical address pa.  Like KADDR, a bad pa
 * panics with the file and line of the call, not of this header. */
#define pa2page(pa) _pa2page(__FILE__, __LINE__, pa)

static inline struct PageInfo *
_pa2page(const char *file, int line, physaddr_t pa)
{
	if (PGNUM(pa) >= npages)
		_panic(file, line, "pa2page called with invalid pa %08lx",
		       (unsigned long) pa);
	return &pages[PGNUM(pa)];
}

/* The kernel virtual address of a page; a page outside the managed
 * memory panics (KADDR's message) at the caller's file and line. */
#define page2kva(pp) _kaddr(__FILE__, __LINE__, page2pa(pp))

#endif /* !KERNEL_PMAP_H */
