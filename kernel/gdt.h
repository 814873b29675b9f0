/*
 * The global descriptor table (kernel/gdt.c).  Paging does the real
 * protection; segments are flat (base 0, limit 4 GiB) and differ only
 * in privilege: the kernel's run at ring 0, the user's at ring 3.
 */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#include <inc/mmu.h>

/* Slots: null, kernel text/data, user text/data, then one TSS per CPU
 * (lab 3 fills in the first, lab 4 the others). */
#define GDT_ENTRIES (5 + 8)

extern struct Segdesc gdt[GDT_ENTRIES];

/* Loads the GDT and reloads every segment register from it. */
void gdt_init_percpu(void);

#endif /* !KERNEL_GDT_H */
