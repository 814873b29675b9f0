/*
 * Detecting physical memory.
 *
 * The best source is the memory map the firmware gives the boot loader
 * (E820 from our boot sector, or GRUB's Multiboot map): a list of
 * regions, each usable RAM or not.  Without one we fall back to the
 * two sizes the BIOS stores in CMOS: "base" memory below 640 KiB and
 * "extended" memory from 1 MiB up, with the I/O hole between.
 */
#include <inc/stdio.h>
#include <inc/mmu.h>
#include <kernel/memdetect.h>
#include <kernel/bootinfo.h>
#include <kernel/cmos.h>

/* The usable regions, clipped to whole pages below the cap. */
#define MAX_USABLE 32
static struct {
	physaddr_t start, end;
} usable[MAX_USABLE];
static int nusable;

/* The end of the highest usable memory reported, before the cap. */
static uint64_t reported_end;

static void
add_usable(uint64_t start, uint64_t end)
{
	if (end > reported_end)
		reported_end = end;
	/* Whole pages only, computed in 64 bits: a region may lie above
	 * 4 GiB, where 32-bit rounding would wrap it to 0. */
	start = (start + PGSIZE - 1) & ~(uint64_t) (PGSIZE - 1);
	end &= ~(uint64_t) (PGSIZE - 1);
	/* Nothing the KERNBASE window can't map. */
	if (end > MAX_PHYSICAL_MEMORY)
		end = MAX_PHYSICAL_MEMORY;
	if (start >= end || nusable == MAX_USABLE)
		return;
	usable[nusable].start = start;
	usable[nusable].end = end;
	nusable++;
}

static unsigned
nvram_read16(unsigned reg)
{
	return cmos_read(reg) | (cmos_read(reg + 1) << 8);
}

/* The two sizes a BIOS reports without a map: base memory (from 0),
 * and extended memory from 1 MiB up to the first hole. */
static void
use_basic_sizes(uint64_t basemem_kb, uint64_t extmem_kb)
{
	add_usable(0, basemem_kb * 1024);
	add_usable(EXTPHYSMEM, EXTPHYSMEM + extmem_kb * 1024);
}

bool
page_is_ram(physaddr_t pa)
{
	for (int i = 0; i < nusable; i++)
		if (pa >= usable[i].start && pa < usable[i].end)
			return true;
	return false;
}

size_t
detect_memory(void)
{
	const struct boot_params *bi = &boot_params;
	physaddr_t total = 0, base = 0;
	bool map_broken = false;

	for (int i = 0; i < bi->nregions; i++) {
		const struct memory_region *r = &bi->regions[i];
		/* A region that wraps around is garbage: ignore the map. */
		if (r->base + r->length < r->base)
			map_broken = true;
		else if (r->usable)
			add_usable(r->base, r->base + r->length);
	}

	/* A map with no usable memory at 1 MiB (where the kernel runs)
	 * cannot be right either. */
	if (map_broken || !page_is_ram(EXTPHYSMEM)) {
		if (bi->nregions > 0)
			cprintf("warning: the boot loader's memory map is "
				"corrupt; ");
		else
			cprintf("warning: no memory map from the boot "
				"loader; ");
		nusable = 0;
		reported_end = 0;
		if (bi->have_basic_sizes) {
			cprintf("using its basic memory sizes\n");
			use_basic_sizes(bi->basemem_kb, bi->extmem_kb);
		} else {
			/* CMOS holds extended memory up to 16 MiB in KiB,
			 * and beyond 16 MiB in 64 KiB units. */
			uint64_t ext16_kb = nvram_read16(NVRAM_EXT16LO) * 64;
			cprintf("using the CMOS memory sizes\n");
			use_basic_sizes(nvram_read16(NVRAM_BASELO),
					ext16_kb ? 15 * 1024 + ext16_kb
						 : nvram_read16(NVRAM_EXTLO));
		}
	}

	for (int i = 0; i < nusable; i++) {
		if (usable[i].end > total)
			total = usable[i].end;
		if (usable[i].start == 0)
			base = usable[i].end;
	}
	if (reported_end > MAX_PHYSICAL_MEMORY)
		cprintf("Physical memory: %uK found, using %uK: KERNBASE maps "
			"at most %u MiB\n",
			(unsigned) (reported_end / 1024),
			(unsigned) (total / 1024),
			(unsigned) (MAX_PHYSICAL_MEMORY >> 20));
	cprintf("Physical memory: %uK available, base = %uK, extended = %uK\n",
		(unsigned) (total / 1024), (unsigned) (base / 1024),
		(unsigned) ((total - EXTPHYSMEM) / 1024));
	return total / PGSIZE;
}
