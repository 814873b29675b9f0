/*
 * What the kernel learned from whoever booted it: our own boot sector
 * or a Multiboot loader such as GRUB.  bootinfo_init() copies it all
 * into kernel memory at boot, because the low memory the loaders left
 * it in soon belongs to the page allocator.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include <inc/types.h>

enum boot_loader {
	BOOTED_BY_UNKNOWN,   /* neither magic number: no information */
	BOOTED_BY_EXOLAB,    /* kernel/boot: an E820 memory map */
	BOOTED_BY_MULTIBOOT, /* GRUB: a multiboot memory map, cmdline */
};

/* A region of physical memory, as the firmware reported it. */
struct memory_region {
	uint64_t base;
	uint64_t length;
	bool usable; /* ordinary RAM */
};

#define MAX_MEMORY_REGIONS 64

/* What the kernel learned from whichever loader booted it (ours, whose
 * handoff is struct bootinfo in kernel/boot/bootinfo.h, or a Multiboot
 * one), in one form. */
struct boot_params {
	enum boot_loader loader;
	int nregions; /* 0: no memory map was passed */
	struct memory_region regions[MAX_MEMORY_REGIONS];
	/* Multiboot's basic sizes (KiB), if the map is missing. */
	bool have_basic_sizes;
	uint32_t basemem_kb, extmem_kb;
	char cmdline[1024]; /* "" if none */
};

extern struct boot_params boot_params;

void bootinfo_init(void);
void bootinfo_report(void);
bool boot_option(const char *key, char *buf, size_t size);

#endif /* !KERNEL_BOOTINFO_H */
