/*
 * bootmain(): load the kernel from disk and jump to it.
 *
 * The disk image is laid out as
 *     sector 0:    this boot sector (boot.S + loader.c)
 *     sector 1...: the kernel, an ELF executable, byte for byte
 *
 * We read the ELF header, then every loadable segment to the physical
 * address the kernel was linked to be loaded at (p_pa), zero the rest
 * of each segment (its .bss), and jump to the entry point.  Disk
 * access uses the ATA controller's programmed I/O interface (ports
 * 0x1F0-0x1F7), the simplest disk interface the PC offers.
 *
 * We read 16 sectors (8 KiB) per command, with READ MULTIPLE, not one
 * with READ SECTORS: each command costs the disk (or the emulator: in
 * QEMU every command is a request to the host's block layer) far more
 * than moving its data, and the lab 5 kernel is over a megabyte.
 *
 * Everything here must stay small: the boot sector has 510 bytes.
 */
#include <inc/x86.h>
#include <inc/elf.h>
#include <kernel/boot/bootinfo.h>

#define SECTSIZE 512
/* A scratch buffer for the ELF header and program headers. */
#define ELFHDR ((struct Elf *) 0x10000)

/* ATA primary channel registers. */
#define ATA_DATA	      0x1F0
#define ATA_COUNT	      0x1F2
#define ATA_LBA0	      0x1F3
#define ATA_LBA1	      0x1F4
#define ATA_LBA2	      0x1F5
#define ATA_DRIVE	      0x1F6
#define ATA_STATUS	      0x1F7 /* read: status; write: command */
#define ATA_BSY		      0x80
#define ATA_DRDY	      0x40
#define ATA_DRQ		      0x08
#define ATA_CMD_READ_MULTIPLE 0xC4
#define ATA_CMD_SET_MULTIPLE  0xC6
/* Sectors per READ MULTIPLE block: 16, the most QEMU's disk takes. */
#define CHUNK_SECTORS 16
#define CHUNK_BYTES   (CHUNK_SECTORS * SECTSIZE)

/* Not inlined: a breakpoint on bootmain then stops on a line of this
 * file, not in inc/x86.h's outb. */
static void disk_setup(void) __attribute__((noinline));
static void readseg(uint32_t pa, uint32_t count, uint32_t offset);

void
bootmain(void)
{
	struct Proghdr *ph, *eph;
	uint32_t entry = 0;

	disk_setup();
	/* The first 4 KiB of the kernel hold the ELF and program headers. */
	readseg((uint32_t) ELFHDR, SECTSIZE * 8, 0);
	if (ELFHDR->e_magic != ELF_MAGIC)
		return;

	ph = (struct Proghdr *) ((uint8_t *) ELFHDR + ELFHDR->e_phoff);
	eph = ph + ELFHDR->e_phnum;
	for (; ph < eph; ph++) {
		if (ph->p_type != ELF_PROG_LOAD)
			continue;
		readseg(ph->p_pa, ph->p_filesz, ph->p_offset);
		/* e_entry is a link (virtual) address, and paging is off:
		 * find the physical address the entry point was loaded at. */
		if (ELFHDR->e_entry - ph->p_va < ph->p_memsz)
			entry = ELFHDR->e_entry - ph->p_va + ph->p_pa;
		/* The part of the segment not in the file is .bss. */
		for (uint32_t i = ph->p_filesz; i < ph->p_memsz; i++)
			((uint8_t *) ph->p_pa)[i] = 0;
	}

	if (entry == 0)
		return; /* the entry point is in no segment */

	/* Enter the kernel, telling it who booted it and where the
	 * memory map is (kernel/entry.S saves eax and ebx). */
	asm volatile("jmp *%0"
		     :
		     : "r"(entry), "a"(BOOTINFO_MAGIC), "b"(BOOTINFO_PADDR));
}

static void
waitdisk(void)
{
	/* Wait until the drive is not busy and is ready. */
	while ((inb(ATA_STATUS) & (ATA_BSY | ATA_DRDY)) != ATA_DRDY)
		continue;
}

/* Has the master drive (the one we booted from) send CHUNK_SECTORS
 * sectors per data transfer of READ MULTIPLE. */
static void
disk_setup(void)
{
	outb(ATA_DRIVE, 0xE0);
	outb(ATA_COUNT, CHUNK_SECTORS);
	outb(ATA_STATUS, ATA_CMD_SET_MULTIPLE);
}

/* Reads CHUNK_SECTORS sectors, from LBA `sector` on, into dst. */
static void
readchunk(void *dst, uint32_t sector)
{
	waitdisk(); /* also for the end of SET MULTIPLE, the first time */
	outb(ATA_COUNT, CHUNK_SECTORS);
	outb(ATA_LBA0, sector);
	outb(ATA_LBA1, sector >> 8);
	outb(ATA_LBA2, sector >> 16);
	/* 0xE0: LBA addressing, master drive, top 4 bits of the LBA. */
	outb(ATA_DRIVE, (sector >> 24) | 0xE0);
	outb(ATA_STATUS, ATA_CMD_READ_MULTIPLE);

	waitdisk();
	insl(ATA_DATA, dst, CHUNK_BYTES / 4);
}

/*
 * Reads `count` bytes from kernel offset `offset` to physical address
 * pa.  Reads whole chunks from a sector boundary on, so it may write up
 * to a sector before pa and up to a chunk after pa + count: harmless,
 * since the kernel's segments come in address order (a segment's extra
 * bytes land where the next one or its .bss will be written, or in
 * free memory past the kernel's end), and
 * kernel/Makefrag pads the disk image with a chunk of zeros, so that no
 * read runs past its end.
 */
static void
readseg(uint32_t pa, uint32_t count, uint32_t offset)
{
	uint32_t end_pa = pa + count;

	/* Round down to a sector boundary: we can only read sectors. */
	pa &= ~(SECTSIZE - 1);
	/* Kernel offset -> disk sector: the kernel starts at sector 1. */
	offset = (offset / SECTSIZE) + 1;

	for (; pa < end_pa; pa += CHUNK_BYTES, offset += CHUNK_SECTORS)
		readchunk((uint8_t *) pa, offset);
}
