/*
 * How much physical memory the machine has, and where the holes are
 * (kernel/memdetect.c).
 */
#ifndef KERNEL_MEMDETECT_H
#define KERNEL_MEMDETECT_H

#include <inc/memlayout.h>

/* The most physical memory the KERNBASE window can map: 256 MiB. */
#define MAX_PHYSICAL_MEMORY ((physaddr_t) (0 - KERNBASE))

/*
 * The least the kernel will run with (QEMU's -m 8 qualifies: the BIOS
 * keeps a little of the 8 MiB).  The kernel itself fits in far
 * less, but the later labs (fork, the file server's block cache) need
 * room to work: better a clear panic at boot than a mysterious
 * -E_NO_MEM in lab 5.
 */
#define MIN_PHYSICAL_MEMORY ((physaddr_t) 7 * 1024 * 1024)

/*
 * Reads the memory map the boot loader passed (or, failing that, the
 * CMOS sizes), prints what it found, and returns the number of pages
 * to manage: everything below the end of the highest usable region,
 * holes included, capped at MAX_PHYSICAL_MEMORY.
 */
size_t detect_memory(void);

/* Whether the page at pa is ordinary RAM (not a hole or ROM). */
bool page_is_ram(physaddr_t pa);

#endif /* !KERNEL_MEMDETECT_H */
