/*
 * Where the other CPUs ("application processors") start (lab 4).
 *
 * A CPU started by a STARTUP interrupt (kernel/lapic.c) begins in real
 * mode at cs:ip = (MPENTRY_PADDR >> 4):0, with paging and protection
 * off, like a freshly reset PC but without the BIOS.  boot_aps
 * (kernel/cpu.c) copies the code between mpentry_start and mpentry_end
 * to MPENTRY_PADDR, which must be below 1 MiB and page-aligned; that
 * is why page_init never hands out that page.
 *
 * The code is linked at kernel addresses but runs at MPENTRY_PADDR,
 * and until paging is on every address must be the physical one:
 * MPBOOTPHYS() converts.  It does what boot.S and entry.S did for the
 * boot CPU: a flat GDT, protected mode, then paging with entry_pgdir
 * (which maps the kernel at KERNBASE, and low memory 1:1 so the next
 * instruction still runs), then jumps to mp_main on the stack that
 * boot_aps put in mpentry_kstack.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>

#define RELOC(x)	((x) - KERNBASE)
#define MPBOOTPHYS(s)	((s) - mpentry_start + MPENTRY_PADDR)

.set PROT_MODE_CSEG, 0x8
.set PROT_MODE_DSEG, 0x10

.text
.code16
.globl mpentry_start
mpentry_start:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss

	lgdt	MPBOOTPHYS(mpentry_gdtdesc)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	/* A far jump loads cs with the 32-bit code segment. */
	ljmpl	$(PROT_MODE_CSEG), $(MPBOOTPHYS(mpentry_start32))

.code32
mpentry_start32:
	movw	$(PROT_MODE_DSEG), %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$0, %ax
	movw	%ax, %fs
	movw	%ax, %gs

	/* Paging, as kernel/entry.S turns it on. */
	movl	%cr4, %eax
	orl	$CR4_PSE, %eax
	movl	%eax, %cr4
	movl	$(RELOC(entry_pgdir)), %eax
	movl	%eax, %cr3
	movl	%cr0, %eax
	orl	$(CR0_PE | CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0

	/* Paging is on: kernel addresses work now. */
	movl	mpentry_kstack, %esp
	movl	$0x0, %ebp		/* the outermost frame */
	movl	$mp_main, %eax
	call	*%eax

	/* mp_main never returns. */
1:	jmp	1b

	.p2align 2
mpentry_gdt:
	SEG_NULL_ASM
	SEG_ASM(STA_X | STA_R, 0x0, 0xffffffff)
	SEG_ASM(STA_W, 0x0, 0xffffffff)
mpentry_gdtdesc:
	.word	0x17			/* sizeof(mpentry_gdt) - 1 */
	.long	MPBOOTPHYS(mpentry_gdt)

.globl mpentry_end
mpentry_end:
	nop
