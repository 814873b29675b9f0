/*
 * The block cache: the whole disk appears in the file server's memory
 * at DISKMAP, block b at DISKMAP + b * BLKSIZE, but only the blocks the
 * server has touched are really there.  Touching any other one faults,
 * and the server's own page-fault handler (bc_pgfault) reads it from
 * the disk into a fresh page: the server pages itself, the exokernel
 * way, with no cache code in the kernel.
 *
 * A block written to has its page's dirty bit (PTE_D) set by the MMU;
 * flush_block writes such a block back and remaps the page to clear the
 * bit.  When the kernel runs out of pages, the cache gives back clean
 * blocks (they can be read again), oldest block number first after the
 * last one evicted: a clock over the disk, nothing cleverer.
 */
#include "fs.h"

/* Blocks on the disk (from the drive; the superblock may say fewer). */
static uint32_t disk_nblocks;
/* Where the eviction clock stands. */
static uint32_t evict_hand;

void *
diskaddr(uint32_t blockno)
{
	if (blockno == 0 || blockno >= disk_nblocks ||
	    (super != NULL && blockno >= super->s_nblocks))
		panic("diskaddr: bad block number %08x (the caller must check)",
		      blockno);
	return (char *) (DISKMAP + blockno * BLKSIZE);
}

bool
va_is_mapped(void *va)
{
	return (uvpd[PDX(va)] & PTE_P) && (uvpt[PGNUM(va)] & PTE_P);
}

bool
va_is_dirty(void *va)
{
	return (uvpt[PGNUM(va)] & PTE_D) != 0;
}

/* Remaps the page at addr onto itself: the kernel writes a new PTE,
 * without PTE_D (which is not among the bits a program may set). */
static void
clear_dirty(void *addr)
{
	int r;

	if ((r = sys_page_map(0, addr, 0, addr,
			      uvpt[PGNUM(addr)] & PTE_SYSCALL)) < 0)
		panic("block cache: remapping %08x: %e", addr, r);
}

/*
 * Gives back up to `want` clean cached blocks, going round the disk
 * from where the last call stopped.  Any clean block may go, even one
 * the server holds a pointer into (the superblock, the bitmap): the
 * next access faults it back in, unchanged.  Returns how many pages
 * were freed.
 */
static int
bc_evict(int want)
{
	int freed = 0;

	for (uint32_t n = 0; n < disk_nblocks && freed < want; n++) {
		evict_hand =
			evict_hand + 1 >= disk_nblocks ? 1 : evict_hand + 1;
		char *va = (char *) (DISKMAP + evict_hand * BLKSIZE);
		if (!(uvpd[PDX(va)] & PTE_P)) {
			/* A whole page table's worth of blocks is absent. */
			evict_hand = ROUNDUP(evict_hand + 1, NPTENTRIES) - 1;
			continue;
		}
		if (va_is_mapped(va) && !va_is_dirty(va)) {
			sys_page_unmap(0, va);
			freed++;
		}
	}
	return freed;
}

/* A fresh page at addr, making room in the cache when memory is short.
 * When every cached block is dirty, they are written back first. */
static void
bc_page_alloc(void *addr)
{
	int r;

	while ((r = sys_page_alloc(0, addr, PTE_P | PTE_U | PTE_W)) ==
	       -E_NO_MEM) {
		if (bc_evict(64) > 0)
			continue;
		fs_sync();
		if (bc_evict(64) == 0)
			panic("block cache: out of memory, nothing to evict");
	}
	if (r < 0)
		panic("block cache: page for %08x: %e", addr, r);
}

/*
 * bc_pgfault: the server's page-fault handler (lab 5, exercise 2).
 * A fault inside [DISKMAP, DISKMAP + disk size) means "this block is not
 * cached yet": allocate a page at the block's address (rounded down to
 * the page), read the block's BLKSECTS sectors from the disk into it,
 * and clear the dirty bit the read itself just set (clear_dirty), so
 * that only later writes count.  Any other fault is a bug in the server:
 * panic with the address and eip.
 *
 * The file system checks every block number it reads from the disk
 * before using it (fs.c), so a fault past the disk's end is a server
 * bug too; so is a disk error here (there is no caller to return it to).
 * Hint: bc_page_alloc makes room when memory runs short; ide_read;
 * utf->utf_fault_va.
 */
static void
bc_pgfault(struct UTrapframe *utf)
{
	void *addr = (void *) utf->utf_fault_va;
	uint32_t blockno = ((uintptr_t) addr - DISKMAP) / BLKSIZE;

	if ((uintptr_t) addr < DISKMAP ||
	    (uintptr_t) addr >= DISKMAP + DISKSIZE)
		panic("page fault in the file server: va %08x ip %08x err %x",
		      addr, utf->utf_eip, utf->utf_err);
	if (blockno == 0 || blockno >= disk_nblocks)
		panic("file server touched block %08x, past the disk's %u "
		      "blocks (va %08x ip %08x)",
		      blockno, disk_nblocks, addr, utf->utf_eip);
#if SOL >= 5
	int r;

	addr = ROUNDDOWN(addr, BLKSIZE);
	bc_page_alloc(addr);
	if ((r = ide_read(blockno * BLKSECTS, addr, BLKSECTS)) < 0)
		panic("block cache: reading block %u: %e", blockno, r);
	clear_dirty(addr);
#else
	/* LAB 5: Your code here (exercise 2). */
	panic("bc_pgfault: not implemented (lab 5, exercise 2)");
#endif
}

/*
 * flush_block: write the block containing addr back to the disk if it
 * is cached and dirty, then clear its dirty bit (lab 5, exercise 2).
 * Nothing to do for a block that is not mapped or not dirty.  addr must
 * be in the cache's range (a server bug otherwise: panic).
 * Hint: va_is_mapped, va_is_dirty, ide_write, clear_dirty.
 */
void
flush_block(void *addr)
{
	uint32_t blockno = ((uintptr_t) addr - DISKMAP) / BLKSIZE;

	if ((uintptr_t) addr < DISKMAP || blockno == 0 ||
	    blockno >= disk_nblocks)
		panic("flush_block of bad va %08x", addr);
#if SOL >= 5
	int r;

	addr = ROUNDDOWN(addr, BLKSIZE);
	if (!va_is_mapped(addr) || !va_is_dirty(addr))
		return;
	if ((r = ide_write(blockno * BLKSECTS, addr, BLKSECTS)) < 0)
		panic("block cache: writing block %u: %e", blockno, r);
	clear_dirty(addr);
#else
	/* LAB 5: Your code here (exercise 2). */
	panic("flush_block: not implemented (lab 5, exercise 2)");
#endif
}

/* bc_discard: drop a block's page without writing it back (a freed
 * block: its contents no longer matter). */
void
bc_discard(uint32_t blockno)
{
	sys_page_unmap(0, (void *) (DISKMAP + blockno * BLKSIZE));
}

/* bc_zero: make block blockno's cached contents all zeros, and dirty
 * (a block just allocated).  An uncached block needs no disk read for
 * that: a fresh page is already zeros. */
void
bc_zero(uint32_t blockno)
{
	char *addr = diskaddr(blockno);

	if (va_is_mapped(addr))
		memset(addr, 0, BLKSIZE);
	else {
		bc_page_alloc(addr);
		*(volatile char *) addr = 0; /* sets PTE_D */
	}
}

/* Self-check: a block survives a flush, being evicted and coming back;
 * a write makes it dirty and a flush makes it clean. */
static void
bc_check(void)
{
	struct Super backup;
	struct Super *sb = (struct Super *) (DISKMAP + SUPERBLOCK * BLKSIZE);

	memmove(&backup, sb, sizeof(backup));
	assert(va_is_mapped(sb) && !va_is_dirty(sb));
	sb->s_nblocks ^= 0x5A5A; /* a change that only the disk keeps */
	assert(va_is_dirty(sb));
	flush_block(sb);
	assert(!va_is_dirty(sb));
	sys_page_unmap(0, sb);
	assert(!va_is_mapped(sb));
	assert(sb->s_nblocks == (backup.s_nblocks ^ 0x5A5A)); /* faults in */
	memmove(sb, &backup, sizeof(backup));
	flush_block(sb);
	sys_page_unmap(0, sb);
	assert(memcmp(sb, &backup, sizeof(backup)) == 0);
	/* Eviction gives back clean blocks only. */
	((volatile struct Super *) sb)->s_magic = backup.s_magic;
	bc_evict(disk_nblocks);
	assert(va_is_mapped(sb) && va_is_dirty(sb));
	flush_block(sb);
	bc_evict(disk_nblocks);
	assert(!va_is_mapped(sb));
	assert(sb->s_magic == backup.s_magic);
	cprintf("block cache is good\n");
}

/* bc_init: install the handler for a disk of disk_blocks blocks and
 * check the cache (which reads block 1, the superblock-to-be). */
void
bc_init(uint32_t disk_blocks)
{
	disk_nblocks = MIN(disk_blocks, DISKSIZE / BLKSIZE);
	evict_hand = 1;
	set_pgfault_handler(bc_pgfault);
	if (disk_nblocks > SUPERBLOCK)
		bc_check();
}
