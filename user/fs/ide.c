/*
 * The disk driver: programmed I/O to an ATA disk on the primary IDE
 * channel (ports 0x1F0-0x1F7 and 0x3F6).  It runs in user space: the
 * kernel gives the file server's environment I/O privilege (IOPL 3,
 * ENV_TYPE_FS) and nothing else, so in and out work here and fault
 * anywhere else.
 *
 * The disk never interrupts us (nIEN): each command is followed by
 * polling the status register, and every poll is bounded, so a missing
 * or broken disk gives an error, never an endless wait.
 *
 * A whole block moves in one data transfer (READ and WRITE MULTIPLE),
 * where the disk supports it, instead of one per sector: in QEMU each
 * transfer is a request to the host's block layer, which costs far more
 * than the `insl`s that move the data.
 */
#include "fs.h"
#include <inc/x86.h>

#define IDE_DATA     0x1F0
#define IDE_ERROR    0x1F1
#define IDE_NSECT    0x1F2
#define IDE_LBA0     0x1F3
#define IDE_LBA1     0x1F4
#define IDE_LBA2     0x1F5
#define IDE_DRIVE    0x1F6 /* 0xE0: LBA mode; bit 4: slave */
#define IDE_STATUS   0x1F7 /* read: status; write: command */
#define IDE_CONTROL  0x3F6
#define IDE_CTL_NIEN 0x02 /* no interrupts */

#define IDE_BSY	 0x80
#define IDE_DRDY 0x40
#define IDE_DF	 0x20
#define IDE_DRQ	 0x08
#define IDE_ERR	 0x01

#define ATA_READ	   0x20
#define ATA_WRITE	   0x30
#define ATA_READ_MULTIPLE  0xC4
#define ATA_WRITE_MULTIPLE 0xC5
#define ATA_SET_MULTIPLE   0xC6
#define ATA_IDENTIFY	   0xEC

/* Polls before giving up: far more than QEMU or a real disk needs
 * (each in takes about a microsecond on real hardware). */
#define IDE_POLLS 2000000

/* The disk we talk to: 0 is the primary master, 1 the slave. */
static int ide_disk = 1;
/* Sectors per data transfer of READ/WRITE MULTIPLE (ide_probe sets it
 * to a block where the disk allows), or 1: plain READ/WRITE. */
static size_t ide_multiple = 1;

static inline void
outsl(int port, const void *addr, int cnt)
{
	asm volatile("cld\n\trepne\n\toutsl"
		     : "=S"(addr), "=c"(cnt)
		     : "d"(port), "0"(addr), "1"(cnt)
		     : "cc");
}

/*
 * Waits until the disk is not busy and ready (and, with want_drq, has
 * data to move).  Returns 0; -E_INVAL if the disk reports an error (it
 * says so through ERR or DF); -E_NOT_FOUND if it never got ready.
 */
static int
ide_wait(bool want_drq)
{
	for (int i = 0; i < IDE_POLLS; i++) {
		uint8_t s = inb(IDE_STATUS);
		if (s & IDE_BSY)
			continue;
		if (s & (IDE_ERR | IDE_DF)) {
			cprintf("fs: disk %d error: status %02x error %02x\n",
				ide_disk, s, inb(IDE_ERROR));
			return -E_INVAL;
		}
		if ((s & IDE_DRDY) && (!want_drq || (s & IDE_DRQ)))
			return 0;
	}
	cprintf("fs: disk %d did not answer (status %02x)\n", ide_disk,
		inb(IDE_STATUS));
	return -E_NOT_FOUND;
}

/* Selects the disk and sets up a transfer of nsecs sectors at secno. */
static int
ide_start(uint32_t secno, size_t nsecs, uint8_t command)
{
	int r;

	if (nsecs == 0 || nsecs > 256 || secno >= (1u << 28) ||
	    secno + nsecs > (1u << 28))
		return -E_INVAL;
	outb(IDE_DRIVE, 0xE0 | (ide_disk << 4) | ((secno >> 24) & 0x0F));
	if ((r = ide_wait(false)) < 0)
		return r;
	outb(IDE_CONTROL, IDE_CTL_NIEN);
	outb(IDE_NSECT, nsecs & 0xFF); /* 0 means 256 */
	outb(IDE_LBA0, secno & 0xFF);
	outb(IDE_LBA1, (secno >> 8) & 0xFF);
	outb(IDE_LBA2, (secno >> 16) & 0xFF);
	outb(IDE_STATUS, command);
	return 0;
}

/*
 * ide_probe: is there a disk `diskno` (0 master, 1 slave)?  Makes it
 * the disk ide_read and ide_write use and stores its size in sectors
 * (LBA28) in *nsectors.  Returns 0 or -E_NOT_FOUND.
 */
int
ide_probe(int diskno, uint32_t *nsectors)
{
	uint16_t id[256];

	ide_disk = diskno;
	outb(IDE_DRIVE, 0xE0 | (diskno << 4));
	outb(IDE_CONTROL, IDE_CTL_NIEN);
	outb(IDE_STATUS, ATA_IDENTIFY);
	/* No drive at all: the status reads 0 (or 0xFF, floating bus). */
	uint8_t s = inb(IDE_STATUS);
	if (s == 0 || s == 0xFF)
		return -E_NOT_FOUND;
	if (ide_wait(true) < 0)
		return -E_NOT_FOUND;
	insl(IDE_DATA, id, sizeof(id) / 4);
	/* Words 60-61: the number of LBA28-addressable sectors. */
	*nsectors = id[60] | ((uint32_t) id[61] << 16);
	if (*nsectors == 0)
		return -E_NOT_FOUND;

	/* Word 47, low byte: the most sectors per MULTIPLE transfer the
	 * disk allows (QEMU: 16).  Ask for one block's worth. */
	ide_multiple = 1;
	if ((id[47] & 0xFF) >= BLKSECTS) {
		outb(IDE_NSECT, BLKSECTS);
		outb(IDE_STATUS, ATA_SET_MULTIPLE);
		if (ide_wait(false) == 0)
			ide_multiple = BLKSECTS;
	}
	return 0;
}

/* The sectors one data transfer of an nsecs-sector command moves, and
 * the command that moves them: MULTIPLE when nsecs is whole blocks. */
static size_t
ide_transfer(size_t nsecs, uint8_t *command, uint8_t single, uint8_t multiple)
{
	if (ide_multiple > 1 && nsecs % ide_multiple == 0) {
		*command = multiple;
		return ide_multiple;
	}
	*command = single;
	return 1;
}

/* ide_read: nsecs sectors from secno into dst.  0 or an ide_wait error. */
int
ide_read(uint32_t secno, void *dst, size_t nsecs)
{
	uint8_t command;
	size_t step =
		ide_transfer(nsecs, &command, ATA_READ, ATA_READ_MULTIPLE);
	int r;

	if ((r = ide_start(secno, nsecs, command)) < 0)
		return r;
	for (; nsecs > 0; nsecs -= step, dst = (char *) dst + step * SECTSIZE) {
		if ((r = ide_wait(true)) < 0)
			return r;
		insl(IDE_DATA, dst, step * SECTSIZE / 4);
	}
	return 0;
}

/* ide_write: nsecs sectors from src to secno.  0 or an ide_wait error. */
int
ide_write(uint32_t secno, const void *src, size_t nsecs)
{
	uint8_t command;
	size_t step =
		ide_transfer(nsecs, &command, ATA_WRITE, ATA_WRITE_MULTIPLE);
	int r;

	if ((r = ide_start(secno, nsecs, command)) < 0)
		return r;
	for (; nsecs > 0;
	     nsecs -= step, src = (const char *) src + step * SECTSIZE) {
		if ((r = ide_wait(true)) < 0)
			return r;
		outsl(IDE_DATA, src, step * SECTSIZE / 4);
	}
	/* The last sector is written once the disk is no longer busy. */
	return ide_wait(false);
}
