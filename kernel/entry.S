/*
 * The kernel's first instructions.
 *
 * The kernel is linked to run at KERNBASE + 1 MiB (0xF0100000) but is
 * loaded at physical 1 MiB, and paging is still off: until we turn it
 * on, every address we use must be the physical one, RELOC(symbol).
 *
 * We install entry_pgdir, a static page directory that maps the first
 * ENTRY_MAPPED bytes (inc/memlayout.h) of physical memory twice: at virtual 0 (so that the
 * instruction after the one enabling paging still runs) and at
 * KERNBASE (where the kernel is linked).  Lab 2's mem_init replaces it
 * with the real kernel page directory.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>
#include <kernel/multiboot.h>

#define RELOC(x) ((x) - KERNBASE)

/* Where the loader jumps: entry's physical address (paging is off). */
.globl _start
_start = RELOC(entry)

.section .text.entry, "ax"

/* The Multiboot header GRUB looks for (kernel/multiboot.h).  Our own
 * boot loader ignores it. */
	.p2align 2
multiboot_header:
	.long	MULTIBOOT_HEADER_MAGIC
	.long	MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO
	.long	-(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_PAGE_ALIGN + MULTIBOOT_MEMORY_INFO)

.globl entry
entry:
	/* Remember who booted us: eax says which boot protocol, ebx
	 * points at its information (kernel/bootinfo.c reads them). */
	movl	%eax, RELOC(boot_magic)
	movl	%ebx, RELOC(boot_info_pa)

	/* Allow 4 MiB pages, which entry_pgdir uses. */
	movl	%cr4, %eax
	orl	$CR4_PSE, %eax
	movl	%eax, %cr4

	movl	$(RELOC(entry_pgdir)), %eax
	movl	%eax, %cr3

	/* Turn on paging; WP makes read-only pages read-only for the
	 * kernel too. */
	movl	%cr0, %eax
	orl	$(CR0_PE | CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0

	/* We are still executing at a low address (the identity mapping
	 * keeps that working).  Jump up to the KERNBASE address. */
	mov	$relocated, %eax
	jmp	*%eax
relocated:
	/* A zero frame pointer marks the outermost frame: the stack
	 * backtrace stops here. */
	movl	$0x0, %ebp
	movl	$(bootstacktop), %esp

	call	i386_init

	/* i386_init never returns. */
spin:	jmp	spin

.data
/* The boot stack, and the entry page directory: both page-aligned. */
#if LAB >= 4
	/* Aligned to its size, and its lowest word points to CPU 0's
	 * struct CpuInfo: that is how the kernel finds which CPU it runs
	 * on (cpu_self, kernel/cpu.h). */
	.p2align 15
.globl bootstack
bootstack:
	.long	cpus
	.space	KSTKSIZE - 4
#else
	.p2align PGSHIFT
.globl bootstack
bootstack:
	.space	KSTKSIZE
#endif
.globl bootstacktop
bootstacktop:

	.p2align PGSHIFT
.globl entry_pgdir
entry_pgdir:
	/* Virtual [0, 16 MiB) -> physical [0, 16 MiB). */
	.set	pde, 0
	.rept	ENTRY_MAPPED_PDES
	.long	(pde << PDXSHIFT) | PTE_P | PTE_W | PTE_PS
	.set	pde, pde + 1
	.endr
	.space	((KERNBASE >> PDXSHIFT) - ENTRY_MAPPED_PDES) * 4
	/* Virtual [KERNBASE, KERNBASE + 16 MiB) -> the same. */
	.set	pde, 0
	.rept	ENTRY_MAPPED_PDES
	.long	(pde << PDXSHIFT) | PTE_P | PTE_W | PTE_PS
	.set	pde, pde + 1
	.endr
	.space	(NPDENTRIES - (KERNBASE >> PDXSHIFT) - ENTRY_MAPPED_PDES) * 4

/* Saved by `entry` above. */
.globl boot_magic
boot_magic:
	.long	0
.globl boot_info_pa
boot_info_pa:
	.long	0
