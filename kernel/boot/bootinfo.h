/*
 * What the boot loader hands the kernel.
 *
 * Our boot sector asks the BIOS for the physical memory map (INT 15h,
 * function E820h) while it is still in real mode, stores it at
 * BOOTINFO_PADDR, and jumps to the kernel with
 *     eax = BOOTINFO_MAGIC, ebx = BOOTINFO_PADDR.
 * GRUB instead passes eax = MULTIBOOT_BOOTLOADER_MAGIC and ebx = the
 * multiboot information structure (kernel/multiboot.h).  The kernel
 * looks at eax to tell the two apart.
 *
 * This header is included from assembly (boot.S) and from C.
 */
#ifndef KERNEL_BOOT_BOOTINFO_H
#define KERNEL_BOOT_BOOTINFO_H

/* "EXOL" in ASCII: not a value GRUB would ever leave in eax. */
#define BOOTINFO_MAGIC 0x4C4F5845

/* Free conventional memory below the boot sector (0x7C00). */
#define BOOTINFO_PADDR 0x5000

/* Offsets within the boot information page. */
#define BOOTINFO_E820_COUNT 0	/* uint32_t: number of entries */
#define BOOTINFO_E820_MAP   8	/* struct e820_entry[] */
#define BOOTINFO_E820_MAX   128 /* entries that fit below 0x6000 */

/* The size of one entry as the BIOS writes it (ACPI 1.0 layout). */
#define E820_ENTRY_SIZE 20

#ifndef __ASSEMBLER__
#include <inc/types.h>

/* E820 region types. */
#define E820_RAM      1 /* usable RAM */
#define E820_RESERVED 2 /* anything else is not ours to use */

struct e820_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));

struct bootinfo {
	uint32_t e820_count;
	uint32_t reserved;
	struct e820_entry e820_map[BOOTINFO_E820_MAX];
};
#endif

#endif /* !KERNEL_BOOT_BOOTINFO_H */
