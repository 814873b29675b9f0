/*
 * The boot sector: the first code of ours the PC runs.
 *
 * The BIOS loads the first sector of the boot disk (512 bytes) to
 * physical address 0x7C00 and jumps there in 16-bit real mode with
 * CS:IP = 0000:7C00 (or 07C0:0000: never assume which).  This code
 *
 *   1. turns off interrupts (we have no handlers yet),
 *   2. enables the A20 address line so that addresses above 1 MiB do
 *      not wrap around to 0,
 *   3. asks the BIOS for the physical memory map while BIOS calls
 *      still work (they need real mode),
 *   4. loads a GDT with flat 4 GiB code and data segments and switches
 *      to 32-bit protected mode,
 *   5. calls bootmain() (loader.c), which reads the kernel from disk.
 *
 * The whole sector, code and data, must fit in 510 bytes: the last two
 * bytes hold the 0x55 0xAA signature the BIOS looks for (boot.ld).
 */
#include <inc/mmu.h>
#include <kernel/boot/bootinfo.h>

.set PROT_MODE_CSEG, 0x8	/* code segment selector in our GDT */
.set PROT_MODE_DSEG, 0x10	/* data segment selector */
.set E820_SMAP, 0x534D4150	/* "SMAP": the BIOS's E820 signature */

.section .text.start
.globl start
start:
	.code16
	cli
	cld

	/* Real mode addresses are segment * 16 + offset: zero the segment
	 * registers so that offsets are physical addresses. */
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$start, %sp	/* the stack grows down from 0x7C00 */

	/* Enable A20 with the "fast A20" port, System Control Port A.
	 * (The original IBM PC AT routed A20 through the keyboard
	 * controller; every PC since about 1990 also has port 0x92.) */
	inb	$0x92, %al
	orb	$0x02, %al
	andb	$0xFE, %al	/* bit 0 would reset the machine */
	outb	%al, $0x92

	/* Collect the E820 memory map into the boot information page.
	 * Each call returns one region and a continuation value in ebx;
	 * ebx = 0 (or the carry flag) ends the list. */
	movl	$0, BOOTINFO_PADDR + BOOTINFO_E820_COUNT
	xorl	%ebx, %ebx
	movw	$(BOOTINFO_PADDR + BOOTINFO_E820_MAP), %di
e820_next:
	movl	$0xE820, %eax
	movl	$E820_ENTRY_SIZE, %ecx
	movl	$E820_SMAP, %edx
	int	$0x15
	jc	e820_done
	cmpl	$E820_SMAP, %eax
	jne	e820_done
	addw	$E820_ENTRY_SIZE, %di
	incw	BOOTINFO_PADDR + BOOTINFO_E820_COUNT
	cmpw	$BOOTINFO_E820_MAX, BOOTINFO_PADDR + BOOTINFO_E820_COUNT
	jae	e820_done
	testl	%ebx, %ebx
	jnz	e820_next
e820_done:

	/* Switch to protected mode: load the GDT, set CR0.PE, then a far
	 * jump reloads CS with a 32-bit code segment. */
	lgdt	gdtdesc
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmp	$PROT_MODE_CSEG, $protected

	.code32
protected:
	/* The data segment registers still hold real-mode values. */
	movw	$PROT_MODE_DSEG, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movl	$start, %esp
	call	bootmain

	/* bootmain returns only if the kernel could not be loaded. */
halt:
	hlt
	jmp	halt

/* The GDT: a null descriptor, then flat code and data segments. */
	.p2align 2
gdt:
	SEG_NULL_ASM
	SEG_ASM(STA_X | STA_R, 0x0, 0xffffffff)
	SEG_ASM(STA_W, 0x0, 0xffffffff)
gdtdesc:
	.word	(gdtdesc - gdt - 1)	/* limit: size - 1 */
	.long	gdt			/* base */
