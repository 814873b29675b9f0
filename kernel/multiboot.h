/*
 * The Multiboot (version 1) protocol, used when GRUB boots the kernel.
 * Reference: the Multiboot Specification 0.6.96, sections 3.1 (the
 * header in the kernel image) and 3.3 (the information GRUB passes).
 */
#ifndef KERNEL_MULTIBOOT_H
#define KERNEL_MULTIBOOT_H

/* In the kernel image, within its first 8 KiB, 4-byte aligned. */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002
#define MULTIBOOT_PAGE_ALIGN   0x00000001 /* modules page-aligned */
#define MULTIBOOT_MEMORY_INFO  0x00000002 /* please pass mem_* and mmap_* */

/* In eax when GRUB jumps to the kernel. */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

#ifndef __ASSEMBLER__
#include <inc/types.h>

/* Bits in multiboot_info.flags saying which fields are valid. */
#define MULTIBOOT_INFO_MEMORY  0x001 /* mem_lower, mem_upper */
#define MULTIBOOT_INFO_CMDLINE 0x004 /* cmdline */
#define MULTIBOOT_INFO_MEM_MAP 0x040 /* mmap_length, mmap_addr */

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB of memory below 1 MiB */
	uint32_t mem_upper; /* KiB of memory above 1 MiB (to the first hole) */
	uint32_t boot_device;
	uint32_t cmdline; /* physical address of a C string */
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length; /* bytes in the memory map buffer */
	uint32_t mmap_addr;   /* physical address of the memory map */
};

/*
 * One memory map entry.  `size` counts the bytes after itself, so the
 * next entry starts at (char *) entry + entry->size + 4.
 */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type; /* 1: available RAM */
} __attribute__((packed));
#endif

#endif /* !KERNEL_MULTIBOOT_H */
