/*
 * The virtual memory layout: the one place that says where everything
 * lives.  Both the kernel and user programs include it.
 *
 *  4 GiB ---------->  +------------------------------+
 *                     |                              |
 *                     |  all physical memory         |  RW/--
 *                     |  (256 MiB window)            |
 *  KERNBASE, ---->    +------------------------------+ 0xf0000000
 *  KSTACKTOP          |   CPU0's kernel stack        |  RW/--  KSTKSIZE
 *                     | - - - - - - - - - - - - - - -|
 *                     |   invalid memory (guard)     |  --/--  KSTKGAP
 *                     +------------------------------+
 *                     |   CPU1's kernel stack ...    |  (lab 4)
 *                     :              .               :
 *  MMIOLIM ------>    +------------------------------+ 0xefc00000
 *                     |   memory-mapped I/O          |  RW/--  PTSIZE
 *  ULIM, MMIOBASE ->  +------------------------------+ 0xef800000
 *                     |   page tables (UVPT)         |  R-/R-  PTSIZE
 *  UVPT ------->      +------------------------------+ 0xef400000
 *                     |   pages[] (UPAGES)           |  R-/R-  PTSIZE
 *  UPAGES ------>     +------------------------------+ 0xef000000
 *                     |   envs[] (UENVS)             |  R-/R-  PTSIZE
 *  UTOP, UENVS,       +------------------------------+ 0xeec00000
 *  UXSTACKTOP         |   user exception stack       |  RW/RW  PGSIZE
 *                     +------------------------------+ 0xeebff000
 *                     |   empty guard page           |  --/--  PGSIZE
 *  USTACKTOP ---->    +------------------------------+ 0xeebfe000
 *                     |   normal user stack          |  RW/RW
 *                     |              |               |
 *                     :              v               :
 *                     :                              :
 *                     |   program data and heap      |
 *  UTEXT -------->    +------------------------------+ 0x00800000
 *  PFTEMP ------->    |   empty                      | 0x007ff000
 *                     |                              |
 *  UTEMP -------->    +------------------------------+ 0x00400000
 *                     |   empty                      |
 *  0 ------------>    +------------------------------+
 *
 * Permissions are written kernel/user: "RW/--" means the kernel may
 * read and write, user code may do neither.
 */
#ifndef INC_MEMLAYOUT_H
#define INC_MEMLAYOUT_H

#ifndef __ASSEMBLER__
#include <inc/types.h>
#endif
#include <inc/mmu.h>

/* Global descriptor table selectors (index * 8). */
#define GD_KT	0x08 /* kernel text */
#define GD_KD	0x10 /* kernel data */
#define GD_UT	0x18 /* user text */
#define GD_UD	0x20 /* user data */
#define GD_TSS0 0x28 /* CPU 0's task state segment */

/* All physical memory is mapped at this address. */
#define KERNBASE 0xF0000000
/* The physical memory kernel/entry.S's page directory maps (at 0 and
 * at KERNBASE) until mem_init loads kern_pgdir: 16 MiB, in 4 MiB pages.
 * Until then nothing above it can be touched.  (The most the KERNBASE
 * window maps later, 256 MiB, is MAX_PHYSICAL_MEMORY in
 * kernel/memdetect.h.) */
#define ENTRY_MAPPED_PDES 4
#define ENTRY_MAPPED	  (ENTRY_MAPPED_PDES * PTSIZE)

/* The kernel is loaded at this physical address and linked at
 * KERNBASE + KERNLOAD (see kernel/kernel.ld). */
#define KERNLOAD 0x00100000

/* Memory-mapped I/O hole in physical memory (VGA, BIOS ROM). */
#define IOPHYSMEM  0x0A0000
#define EXTPHYSMEM 0x100000

/* Kernel stacks. */
#define KSTACKTOP KERNBASE
#define KSTKSIZE  (8 * PGSIZE) /* size of a kernel stack */
#define KSTKGAP	  (8 * PGSIZE) /* unmapped guard below each stack */

/* Memory-mapped I/O (the local APIC, lab 4). */
#define MMIOLIM	 (KSTACKTOP - PTSIZE)
#define MMIOBASE (MMIOLIM - PTSIZE)

/* Below ULIM, user environments may read (never write) what is mapped. */
#define ULIM (MMIOBASE)

/* The page tables themselves, through the recursive directory entry. */
#define UVPT (ULIM - PTSIZE)
/* A read-only copy of the physical page array, pages[]. */
#define UPAGES (UVPT - PTSIZE)
/* A read-only copy of the environment array, envs[]. */
#define UENVS (UPAGES - PTSIZE)

/* Everything below UTOP belongs to user environments. */
#define UTOP UENVS
/* Top of the one-page user exception stack (lab 4 upcalls). */
#define UXSTACKTOP UTOP
/* Top of the normal user stack; a guard page sits between the two. */
#define USTACKTOP (UTOP - 2 * PGSIZE)

/* Where user programs are linked. */
#define UTEXT (2 * PTSIZE)

/* Temporary mapping areas below UTEXT, for the library OS. */
#define UTEMP  ((void *) PTSIZE)
#define PFTEMP (UTEMP + PTSIZE - PGSIZE)
/* Where the file server maps the disk (lab 5). */
#define DISKMAP	 0x10000000
#define DISKSIZE 0xC0000000

/* Where the other CPUs start executing (lab 4). */
#define MPENTRY_PADDR 0x7000

#ifndef __ASSEMBLER__

typedef uint32_t pte_t;
typedef uint32_t pde_t;

/*
 * Through the recursive entry at PDX(UVPT), the page tables appear as
 * one contiguous array: uvpt[PGNUM(va)] is the PTE that maps va, and
 * uvpd[PDX(va)] is the PDE.  User programs read them (never write).
 */
extern volatile pte_t uvpt[];
extern volatile pde_t uvpd[];

/*
 * One entry per physical page, in pages[] (mapped read-only at UPAGES).
 * The page allocator strings free pages on pp_link; pp_ref counts the
 * mappings of a page (kernel-only uses don't count).
 */
struct PageInfo {
	/* Next page on the free list; NULL for a page that is in use. */
	struct PageInfo *pp_link;
	/* How many page-table entries point at this page. */
	uint16_t pp_ref;
};

#endif /* !__ASSEMBLER__ */
#endif /* !INC_MEMLAYOUT_H */
