/*
 * The x86 memory-management unit: paging structures, segment
 * descriptors, control-register bits.  This is the one header that
 * knows how deep the page tables are and how wide an entry is; code
 * elsewhere uses the macros below instead of shifting by hand.
 *
 * Reference: Intel SDM volume 3A, chapters 3 (segmentation), 4 (paging)
 * and 6 (interrupts).
 */
#ifndef INC_MMU_H
#define INC_MMU_H

/*
 * A 32-bit linear address splits into three fields:
 *
 *  +--------10------+-------10-------+---------12----------+
 *  | Page Directory |   Page Table   | Offset within Page  |
 *  |      Index     |      Index     |                     |
 *  +----------------+----------------+---------------------+
 *   \--- PDX(la) --/ \--- PTX(la) --/ \---- PGOFF(la) ----/
 *   \---------- PGNUM(la) ----------/
 */
#define PGNUM(la) (((uintptr_t) (la)) >> PTXSHIFT)
#define PDX(la)	  ((((uintptr_t) (la)) >> PDXSHIFT) & 0x3FF)
#define PTX(la)	  ((((uintptr_t) (la)) >> PTXSHIFT) & 0x3FF)
#define PGOFF(la) (((uintptr_t) (la)) & 0xFFF)
/* Builds a linear address back from its three fields. */
#define PGADDR(d, t, o) ((void *) ((d) << PDXSHIFT | (t) << PTXSHIFT | (o)))

#define NPDENTRIES 1024 /* entries in a page directory */
#define NPTENTRIES 1024 /* entries in a page table */

#define PGSIZE	 4096		       /* bytes mapped by one page */
#define PGSHIFT	 12		       /* log2(PGSIZE) */
#define PTSIZE	 (PGSIZE * NPTENTRIES) /* bytes one page table maps */
#define PTXSHIFT 12		       /* where PTX sits in an address */
#define PDXSHIFT 22		       /* where PDX sits in an address */

/* Page directory and page table entry bits (SDM 3A, table 4-5/4-6). */
#define PTE_P	0x001 /* Present */
#define PTE_W	0x002 /* Writeable */
#define PTE_U	0x004 /* User may access */
#define PTE_PWT 0x008 /* Write-Through caching */
#define PTE_PCD 0x010 /* Cache-Disable */
#define PTE_A	0x020 /* Accessed (set by the CPU) */
#define PTE_D	0x040 /* Dirty (set by the CPU) */
#define PTE_PS	0x080 /* Page Size: a 4 MiB page, in a PDE */
#define PTE_G	0x100 /* Global: survives a CR3 reload */
/* Three bits the hardware ignores and leaves to the OS. */
#define PTE_AVAIL 0xE00
/* The only bits a user environment may set through a system call. */
#define PTE_SYSCALL (PTE_AVAIL | PTE_P | PTE_W | PTE_U)

/* The physical address held in an entry (flags stripped). */
#define PTE_ADDR(pte) ((physaddr_t) (pte) & ~0xFFF)

/* Control register 0 (SDM 3A, 2.5). */
#define CR0_PE 0x00000001 /* Protection Enable */
#define CR0_MP 0x00000002 /* Monitor coProcessor */
#define CR0_EM 0x00000004 /* Emulation */
#define CR0_TS 0x00000008 /* Task Switched */
#define CR0_NE 0x00000020 /* Numeric Error */
#define CR0_WP 0x00010000 /* Write Protect: supervisor too */
#define CR0_AM 0x00040000 /* Alignment Mask */
#define CR0_PG 0x80000000 /* Paging */

/* Control register 4. */
#define CR4_PSE 0x00000010 /* Page Size Extensions (4 MiB) */
#define CR4_PGE 0x00000080 /* Page Global Enable */

/* EFLAGS (SDM 1, 3.4.3). */
#define FL_CF	     0x00000001 /* Carry Flag */
#define FL_PF	     0x00000004 /* Parity Flag */
#define FL_AF	     0x00000010 /* Auxiliary carry Flag */
#define FL_ZF	     0x00000040 /* Zero Flag */
#define FL_SF	     0x00000080 /* Sign Flag */
#define FL_TF	     0x00000100 /* Trap Flag: single-step */
#define FL_IF	     0x00000200 /* Interrupt Flag */
#define FL_DF	     0x00000400 /* Direction Flag */
#define FL_OF	     0x00000800 /* Overflow Flag */
#define FL_IOPL_MASK 0x00003000 /* I/O Privilege Level bitmask */
#define FL_IOPL_3    0x00003000 /*   IOPL == 3 */
#define FL_NT	     0x00004000 /* Nested Task */
#define FL_VM	     0x00020000 /* Virtual 8086 mode */
#define FL_AC	     0x00040000 /* Alignment Check */
#define FL_ID	     0x00200000 /* ID flag: CPUID is available */

/* Page fault error code bits (SDM 3A, 4.7). */
#define FEC_PR 0x1 /* 0: page not present; 1: protection */
#define FEC_WR 0x2 /* 1: the access was a write */
#define FEC_U  0x4 /* 1: the access came from user mode */

/*
 * Segment descriptors (SDM 3A, 3.4.5).
 *
 * Application segment type bits, used with STA_ in SEG() below.
 */
#define STA_X 0x8 /* Executable segment */
#define STA_W 0x2 /* Writeable (non-executable segments) */
#define STA_R 0x2 /* Readable (executable segments) */

/* System segment and gate types. */
#define STS_T32A 0x9 /* Available 32-bit TSS */
#define STS_IG32 0xE /* 32-bit Interrupt Gate: clears IF */
#define STS_TG32 0xF /* 32-bit Trap Gate: leaves IF alone */

#ifdef __ASSEMBLER__

/*
 * Descriptors for the boot loader's and the entry code's GDT, as data
 * directives.  A flat segment covers 4 GiB with 4 KiB granularity.
 */
#define SEG_NULL_ASM                                                           \
	.word 0, 0;                                                            \
	.byte 0, 0, 0, 0
#define SEG_ASM(type, base, lim)                                               \
	.word(((lim) >> 12) & 0xffff), ((base) &0xffff);                       \
	.byte(((base) >> 16) & 0xff), (0x90 | (type)),                         \
		(0xC0 | (((lim) >> 28) & 0xf)), (((base) >> 24) & 0xff)

#else /* !__ASSEMBLER__ */

#include <inc/types.h>

/* A segment descriptor, bit-field by bit-field. */
struct Segdesc {
	unsigned sd_lim_15_0 : 16;  /* low bits of the segment limit */
	unsigned sd_base_15_0 : 16; /* low bits of the base address */
	unsigned sd_base_23_16 : 8; /* middle bits of the base */
	unsigned sd_type : 4;	    /* STA_ or STS_ type */
	unsigned sd_s : 1;	    /* 0 = system, 1 = application */
	unsigned sd_dpl : 2;	    /* descriptor privilege level */
	unsigned sd_p : 1;	    /* present */
	unsigned sd_lim_19_16 : 4;  /* high bits of the limit */
	unsigned sd_avl : 1;	    /* free for software */
	unsigned sd_rsv1 : 1;	    /* reserved (64-bit code) */
	unsigned sd_db : 1;	    /* 0 = 16-bit, 1 = 32-bit segment */
	unsigned sd_g : 1;	    /* limit in 4 KiB units */
	unsigned sd_base_31_24 : 8; /* high bits of the base */
};

#define SEG_NULL ((struct Segdesc){ 0 })
/* A flat 32-bit application segment with page granularity. */
#define SEG(type, base, lim, dpl)                                              \
	((struct Segdesc){ ((lim) >> 12) & 0xffff, (base) &0xffff,             \
			   ((base) >> 16) & 0xff, type, 1, dpl, 1,             \
			   (unsigned) (lim) >> 28, 0, 0, 1, 1,                 \
			   (unsigned) (base) >> 24 })
/* A 16-bit system segment with byte granularity (the TSS). */
#define SEG16(type, base, lim, dpl)                                            \
	((struct Segdesc){ (lim) &0xffff, (base) &0xffff,                      \
			   ((base) >> 16) & 0xff, type, 1, dpl, 1,             \
			   (unsigned) (lim) >> 16, 0, 0, 1, 0,                 \
			   (unsigned) (base) >> 24 })

/* The 32-bit Task State Segment.  Only ts_esp0/ts_ss0 (the stack the
 * CPU switches to on a trap from user mode) and ts_iomb matter to us. */
struct Taskstate {
	uint32_t ts_link;
	uintptr_t ts_esp0;
	uint16_t ts_ss0;
	uint16_t ts_padding1;
	uintptr_t ts_esp1;
	uint16_t ts_ss1;
	uint16_t ts_padding2;
	uintptr_t ts_esp2;
	uint16_t ts_ss2;
	uint16_t ts_padding3;
	physaddr_t ts_cr3;
	uintptr_t ts_eip;
	uint32_t ts_eflags;
	uint32_t ts_eax;
	uint32_t ts_ecx;
	uint32_t ts_edx;
	uint32_t ts_ebx;
	uintptr_t ts_esp;
	uintptr_t ts_ebp;
	uint32_t ts_esi;
	uint32_t ts_edi;
	uint16_t ts_es;
	uint16_t ts_padding4;
	uint16_t ts_cs;
	uint16_t ts_padding5;
	uint16_t ts_ss;
	uint16_t ts_padding6;
	uint16_t ts_ds;
	uint16_t ts_padding7;
	uint16_t ts_fs;
	uint16_t ts_padding8;
	uint16_t ts_gs;
	uint16_t ts_padding9;
	uint16_t ts_ldt;
	uint16_t ts_padding10;
	uint16_t ts_t;	  /* trap on task switch */
	uint16_t ts_iomb; /* I/O permission bitmap offset */
};

/* An interrupt or trap gate in the IDT (SDM 3A, 6.11). */
struct Gatedesc {
	unsigned gd_off_15_0 : 16;  /* low bits of the handler address */
	unsigned gd_sel : 16;	    /* code segment selector */
	unsigned gd_args : 5;	    /* 0 for interrupt/trap gates */
	unsigned gd_rsv1 : 3;	    /* reserved */
	unsigned gd_type : 4;	    /* STS_IG32 or STS_TG32 */
	unsigned gd_s : 1;	    /* must be 0 (system) */
	unsigned gd_dpl : 2;	    /* lowest privilege allowed to `int` */
	unsigned gd_p : 1;	    /* present */
	unsigned gd_off_31_16 : 16; /* high bits of the handler address */
};

/*
 * SETGATE fills in a gate.
 *  istrap: 1 for a trap gate (interrupts stay enabled), 0 for an
 *          interrupt gate (the CPU clears IF on entry).
 *  sel:    code segment of the handler.
 *  off:    handler address.
 *  dpl:    the privilege an `int n` instruction needs to use the gate.
 */
#define SETGATE(gate, istrap, sel, off, dpl)                                   \
	{                                                                      \
		(gate).gd_off_15_0 = (uint32_t) (off) &0xffff;                 \
		(gate).gd_sel = (sel);                                         \
		(gate).gd_args = 0;                                            \
		(gate).gd_rsv1 = 0;                                            \
		(gate).gd_type = (istrap) ? STS_TG32 : STS_IG32;               \
		(gate).gd_s = 0;                                               \
		(gate).gd_dpl = (dpl);                                         \
		(gate).gd_p = 1;                                               \
		(gate).gd_off_31_16 = (uint32_t) (off) >> 16;                  \
	}

/* The operand of lidt/lgdt: a limit and a linear base address. */
struct Pseudodesc {
	uint16_t pd_lim;
	uint32_t pd_base;
} __attribute__((packed));

#endif /* !__ASSEMBLER__ */

#endif /* !INC_MMU_H */
