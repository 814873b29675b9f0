/*
 * _start: where every user program begins (the ELF entry point).
 *
 * It also defines where the kernel's read-only tables appear in every
 * address space: envs[] at UENVS, pages[] at UPAGES, and the page
 * tables at UVPT (uvpt[] for the PTEs, uvpd[] for the directory,
 * which the recursive entry places inside UVPT).
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>

.data
	.globl envs
	.set envs, UENVS
	.globl pages
	.set pages, UPAGES
	.globl uvpt
	.set uvpt, UVPT
	.globl uvpd
	.set uvpd, (UVPT + (UVPT >> PGSHIFT) * 4)

.text
.globl _start
_start:
	/* A program started by the kernel gets an empty stack at
	 * USTACKTOP; one started by spawn (lab 5) finds argc and argv
	 * pushed there already. */
	cmpl	$USTACKTOP, %esp
	jne	args_exist

	pushl	$0		/* argv */
	pushl	$0		/* argc */

args_exist:
	call	libmain
1:	jmp	1b
