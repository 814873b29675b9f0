/*
 * The file system proper, on top of the block cache (bc.c): the
 * superblock, the free-block bitmap, files made of direct and indirect
 * blocks, directories, and paths (the format is inc/fs.h).
 *
 * The disk is not trusted.  Whatever is read from it (a block number, a
 * size, a name) is checked before it is used, and a value that cannot
 * be right makes the operation fail with -E_INVAL and a "corrupt file
 * system" line naming what was wrong.  The server never follows a bad
 * block number, so it never reads outside the disk, and never frees or
 * overwrites a block it does not own.
 */
#include "fs.h"

struct Super *super;	    /* NULL until the disk is mounted */
uint32_t *bitmap;	    /* the free-block bitmap, 1 = free */
static uint32_t first_data; /* the first block after the bitmap */

/* Reports what is wrong with the disk; returns -E_INVAL. */
static int
corrupt(const char *fmt, ...)
{
	va_list ap;

	cprintf("fs: corrupt file system: ");
	va_start(ap, fmt);
	vcprintf(fmt, ap);
	va_end(ap);
	cprintf("\n");
	return -E_INVAL;
}

bool
fs_mounted(void)
{
	return super != NULL;
}

/* ---------------------------------------------------------------------
 * The free-block bitmap
 */

bool
block_is_free(uint32_t blockno)
{
	if (super == NULL || blockno >= super->s_nblocks)
		return false;
	return (bitmap[blockno / 32] & (1u << (blockno % 32))) != 0;
}

/* Is blockno a block a file may hold: in the data area and in use? */
static bool
block_ok(uint32_t blockno)
{
	return blockno >= first_data && blockno < super->s_nblocks &&
	       !block_is_free(blockno);
}

/* free_block: mark a data block free (its cached page is dropped). */
void
free_block(uint32_t blockno)
{
	if (blockno < first_data || blockno >= super->s_nblocks)
		panic("free_block: block %u is not a data block", blockno);
	bitmap[blockno / 32] |= 1u << (blockno % 32);
	bc_discard(blockno);
}

/*
 * alloc_block: find a free data block, mark it used in the bitmap, and
 * return its number (lab 5, exercise 3).  The block's contents are
 * zeros (bc_zero), so a file never shows what an earlier file left
 * there.
 *
 * Only the cached bitmap changes: the callers write it back before
 * anything that points to the new block reaches the disk (file_flush
 * and fs_sync flush the bitmap first), so that a crash in between
 * leaks the block at worst, never hands it out twice.
 *
 * Returns the block number, or -E_NO_DISK if every block is in use.
 * Hint: block_is_free; blocks below first_data (boot sector, superblock,
 * bitmap) are never free; skip whole words of the bitmap that are 0.
 */
int
alloc_block(void)
{
#if SOL >= 5
	for (uint32_t b = first_data; b < super->s_nblocks; b++) {
		if (bitmap[b / 32] == 0) {
			b = ROUNDUP(b + 1, 32) - 1;
			continue;
		}
		if (block_is_free(b)) {
			bitmap[b / 32] &= ~(1u << (b % 32));
			bc_zero(b);
			return b;
		}
	}
	return -E_NO_DISK;
#else
	/* LAB 5: Your code here (exercise 3). */
	cprintf("alloc_block: not implemented (lab 5, exercise 3)\n");
	return -E_NO_DISK;
#endif
}

/* ---------------------------------------------------------------------
 * Files
 */

/* Checks a File found on the disk: its name ends, its type is known,
 * its size fits (and a directory's is whole blocks). */
static int
file_check(struct File *f)
{
	if (strnlen(f->f_name, MAXNAMELEN) == MAXNAMELEN)
		return corrupt("a file name has no terminating NUL");
	if (f->f_type != FTYPE_REG && f->f_type != FTYPE_DIR)
		return corrupt("file '%s' has type %u", f->f_name, f->f_type);
	if (f->f_size < 0 || f->f_size > MAXFILESIZE)
		return corrupt("file '%s' has size %d", f->f_name, f->f_size);
	if (f->f_type == FTYPE_DIR && f->f_size % BLKSIZE != 0)
		return corrupt("directory '%s' has size %d, not whole blocks",
			       f->f_name, f->f_size);
	return 0;
}

/*
 * file_block_walk: find the slot that holds the disk block number of
 * file block filebno of f: one of f->f_direct, or an entry of the
 * indirect block (lab 5, exercise 4).  *ppdiskbno gets the slot's
 * address; the slot holds 0 if the file has no block there.
 *
 * If the indirect block is needed and f has none: with alloc, allocate
 * one (alloc_block gives it zeroed: no entries); without, return
 * -E_NOT_FOUND.  An indirect block number that is not a used data block
 * (block_ok) means the disk is corrupt: return corrupt(...).
 *
 * Returns 0, -E_NOT_FOUND, -E_NO_DISK (no block for the indirect
 * block), -E_INVAL (filebno >= NDIRECT + NINDIRECT, or corrupt).
 * Hint: diskaddr(f->f_indirect) is the indirect block, as uint32_t[].
 */
static int
file_block_walk(struct File *f, uint32_t filebno, uint32_t **ppdiskbno,
		bool alloc)
{
#if SOL >= 5
	int r;

	if (filebno >= NDIRECT + NINDIRECT)
		return -E_INVAL;
	if (filebno < NDIRECT) {
		*ppdiskbno = &f->f_direct[filebno];
		return 0;
	}
	if (f->f_indirect == 0) {
		if (!alloc)
			return -E_NOT_FOUND;
		if ((r = alloc_block()) < 0)
			return r;
		f->f_indirect = r;
	} else if (!block_ok(f->f_indirect))
		return corrupt(
			"file '%s': indirect block %u is not a used data "
			"block",
			f->f_name, f->f_indirect);
	*ppdiskbno = (uint32_t *) diskaddr(f->f_indirect) + (filebno - NDIRECT);
	return 0;
#else
	/* LAB 5: Your code here (exercise 4). */
	cprintf("file_block_walk: not implemented (lab 5, exercise 4)\n");
	return -E_INVAL;
#endif
}

/*
 * file_get_block: set *blk to the address (in the block cache) of file
 * block filebno of f (lab 5, exercise 4).  A file block that has no
 * disk block yet gets one with alloc (alloc_block) and is an error
 * without: every block inside a file's size exists, so a missing one
 * means the disk is corrupt.  So is a block number that is not a used
 * data block (block_ok): never hand out a pointer to the bitmap!
 *
 * Returns 0, -E_NO_DISK, or -E_INVAL (bad filebno, corrupt).
 * Hint: file_block_walk, then diskaddr.
 */
int
file_get_block(struct File *f, uint32_t filebno, char **blk, bool alloc)
{
#if SOL >= 5
	uint32_t *slot;
	int r;

	if ((r = file_block_walk(f, filebno, &slot, alloc)) < 0)
		return r == -E_NOT_FOUND
			       ? corrupt("file '%s': block %u missing inside "
					 "its "
					 "size %d",
					 f->f_name, filebno, f->f_size)
			       : r;
	if (*slot == 0) {
		if (!alloc)
			return corrupt("file '%s': block %u missing inside its "
				       "size %d",
				       f->f_name, filebno, f->f_size);
		if ((r = alloc_block()) < 0)
			return r;
		*slot = r;
	} else if (!block_ok(*slot))
		return corrupt("file '%s': block %u is disk block %u, not a "
			       "used data block",
			       f->f_name, filebno, *slot);
	*blk = diskaddr(*slot);
	return 0;
#else
	/* LAB 5: Your code here (exercise 4). */
	cprintf("file_get_block: not implemented (lab 5, exercise 4)\n");
	return -E_INVAL;
#endif
}

/* Blocks a file of `size` bytes has. */
static uint32_t
nblocks_of(off_t size)
{
	return ROUNDUP((uint32_t) size, BLKSIZE) / BLKSIZE;
}

/*
 * file_set_size: make f newsize bytes long.  Shrinking frees the blocks
 * past the end (and the indirect block once it is empty) and zeroes the
 * rest of the last block; growing allocates zeroed blocks, so a file
 * has exactly the blocks its size needs (what fsck checks).  A grow
 * that runs out of blocks gives back what it took.
 * Returns 0, -E_INVAL (size out of range, corrupt), -E_NO_DISK.
 */
int
file_set_size(struct File *f, off_t newsize)
{
	uint32_t oldn = nblocks_of(f->f_size), newn = nblocks_of(newsize);
	off_t oldsize = f->f_size;
	uint32_t *slot;
	char *blk;
	int r;

	if (newsize < 0 || newsize > MAXFILESIZE)
		return -E_INVAL;
	if (newsize < f->f_size) {
		/* Check every block first: a corrupt file is refused, not
		 * half freed. */
		for (uint32_t i = newn; i < oldn; i++)
			if ((r = file_get_block(f, i, &blk, false)) < 0)
				return r;
		for (uint32_t i = newn; i < oldn; i++) {
			file_block_walk(f, i, &slot, false);
			free_block(*slot);
			*slot = 0;
		}
		if (newn <= NDIRECT && f->f_indirect != 0) {
			if (!block_ok(f->f_indirect))
				return corrupt(
					"file '%s': bad indirect block %u",
					f->f_name, f->f_indirect);
			free_block(f->f_indirect);
			f->f_indirect = 0;
		}
		if (newsize % BLKSIZE != 0) {
			if ((r = file_get_block(f, newn - 1, &blk, false)) < 0)
				return r;
			memset(blk + newsize % BLKSIZE, 0,
			       BLKSIZE - newsize % BLKSIZE);
		}
		f->f_size = newsize;
		/* The entry reaches the disk before the bitmap that frees
		 * its blocks can (any file's flush writes the bitmap): a
		 * crash in between then leaks the blocks, instead of
		 * leaving an entry that points at free blocks, which the
		 * next allocation would give to another file. */
		flush_block(f);
		return 0;
	}
	for (uint32_t i = oldn; i < newn; i++) {
		if ((r = file_get_block(f, i, &blk, true)) < 0) {
			f->f_size = i * BLKSIZE;
			if (i == NDIRECT && f->f_indirect != 0 &&
			    oldn <= NDIRECT) {
				free_block(f->f_indirect);
				f->f_indirect = 0;
			}
			file_set_size(f, oldsize);
			return r;
		}
	}
	f->f_size = newsize;
	return 0;
}

/*
 * file_read: up to count bytes of f from offset into buf.  Returns the
 * number read (0 at or past the end) or -E_INVAL (negative offset,
 * corrupt).
 */
ssize_t
file_read(struct File *f, void *buf, size_t count, off_t offset)
{
	size_t done = 0;
	char *blk;
	int r;

	if (offset < 0)
		return -E_INVAL;
	if (offset >= f->f_size)
		return 0;
	count = MIN(count, (size_t) (f->f_size - offset));
	while (done < count) {
		off_t pos = offset + done;
		if ((r = file_get_block(f, pos / BLKSIZE, &blk, false)) < 0)
			return r;
		size_t n = MIN(count - done, BLKSIZE - pos % BLKSIZE);
		memmove((char *) buf + done, blk + pos % BLKSIZE, n);
		done += n;
	}
	return done;
}

/*
 * file_write: count bytes from buf into f at offset, growing f if the
 * write ends past its end.  Returns count, or -E_INVAL (offset
 * negative or past MAXFILESIZE, corrupt) or -E_NO_DISK.
 */
ssize_t
file_write(struct File *f, const void *buf, size_t count, off_t offset)
{
	size_t done = 0;
	char *blk;
	int r;

	if (offset < 0 || count > MAXFILESIZE ||
	    (uint32_t) offset + count > MAXFILESIZE)
		return -E_INVAL;
	if (offset + (off_t) count > f->f_size &&
	    (r = file_set_size(f, offset + count)) < 0)
		return r;
	while (done < count) {
		off_t pos = offset + done;
		if ((r = file_get_block(f, pos / BLKSIZE, &blk, false)) < 0)
			return r;
		size_t n = MIN(count - done, BLKSIZE - pos % BLKSIZE);
		memmove(blk + pos % BLKSIZE, (const char *) buf + done, n);
		done += n;
	}
	return done;
}

/* Writes the cached bitmap blocks that changed back to the disk. */
static void
flush_bitmap(void)
{
	for (uint32_t b = BITMAPBLOCK; b < first_data; b++)
		flush_block(diskaddr(b));
}

/* file_flush: write f's changes back to the disk: the bitmap first (a
 * block f points to is marked used on the disk before the pointer gets
 * there), then its data blocks, its indirect block and its directory
 * entry.  Block numbers that are not f's to use are skipped. */
void
file_flush(struct File *f)
{
	uint32_t n = nblocks_of(f->f_size);

	flush_bitmap();
	for (uint32_t i = 0; i < MIN(n, NDIRECT); i++)
		if (block_ok(f->f_direct[i]))
			flush_block(diskaddr(f->f_direct[i]));
	if (f->f_indirect != 0 && block_ok(f->f_indirect)) {
		uint32_t *indirect = diskaddr(f->f_indirect);
		for (uint32_t i = NDIRECT; i < n; i++)
			if (block_ok(indirect[i - NDIRECT]))
				flush_block(diskaddr(indirect[i - NDIRECT]));
		flush_block(indirect);
	}
	flush_block(f);
}

/* ---------------------------------------------------------------------
 * Directories and paths
 */

/* The entry called name in dir, in *file.  0, -E_NOT_FOUND, or
 * -E_INVAL for a corrupt directory. */
static int
dir_lookup(struct File *dir, const char *name, struct File **file)
{
	struct File *entries;
	int r;

	for (uint32_t i = 0; i < nblocks_of(dir->f_size); i++) {
		if ((r = file_get_block(dir, i, (char **) &entries, false)) < 0)
			return r;
		for (uint32_t j = 0; j < BLKFILES; j++) {
			struct File *f = &entries[j];
			if (f->f_name[0] == '\0')
				continue;
			if ((r = file_check(f)) < 0)
				return r;
			if (strcmp(f->f_name, name) == 0) {
				*file = f;
				return 0;
			}
		}
	}
	return -E_NOT_FOUND;
}

/* A free entry in dir (growing it by a block if it has none). */
static int
dir_alloc_file(struct File *dir, struct File **file)
{
	struct File *entries;
	uint32_t n = nblocks_of(dir->f_size);
	int r;

	for (uint32_t i = 0; i < n; i++) {
		if ((r = file_get_block(dir, i, (char **) &entries, false)) < 0)
			return r;
		for (uint32_t j = 0; j < BLKFILES; j++)
			if (entries[j].f_name[0] == '\0') {
				*file = &entries[j];
				return 0;
			}
	}
	if ((r = file_set_size(dir, (n + 1) * BLKSIZE)) < 0)
		return r;
	if ((r = file_get_block(dir, n, (char **) &entries, false)) < 0)
		return r;
	*file = &entries[0];
	return 0;
}

static const char *
skip_slash(const char *p)
{
	while (*p == '/')
		p++;
	return p;
}

/*
 * Follows path from the root.  On success *pf is the file (and *pdir,
 * if asked, its directory).  If only the last element is missing,
 * returns -E_NOT_FOUND with *pdir the directory it would be in and
 * lastelem its name.  -E_BAD_PATH for an element of MAXNAMELEN or more
 * characters.
 */
static int
walk_path(const char *path, struct File **pdir, struct File **pf,
	  char *lastelem)
{
	char name[MAXNAMELEN];
	struct File *dir = NULL, *f = &super->s_root;
	int r;

	if (pdir)
		*pdir = NULL;
	*pf = NULL;
	path = skip_slash(path);
	while (*path != '\0') {
		const char *p = path;
		dir = f;
		while (*path != '/' && *path != '\0')
			path++;
		if (path - p >= MAXNAMELEN)
			return -E_BAD_PATH;
		memmove(name, p, path - p);
		name[path - p] = '\0';
		path = skip_slash(path);
		if (dir->f_type != FTYPE_DIR)
			return -E_NOT_FOUND;
		if ((r = dir_lookup(dir, name, &f)) < 0) {
			if (r == -E_NOT_FOUND && *path == '\0') {
				if (pdir)
					*pdir = dir;
				if (lastelem)
					strcpy(lastelem, name);
			}
			return r;
		}
	}
	if (pdir)
		*pdir = dir;
	*pf = f;
	return 0;
}

/* file_create: a new, empty file (FTYPE_REG) or directory (FTYPE_DIR)
 * at path.  0, -E_FILE_EXISTS, -E_NOT_FOUND (no such directory),
 * -E_BAD_PATH, -E_NO_DISK, -E_INVAL (corrupt). */
int
file_create(const char *path, struct File **pf, int type)
{
	char name[MAXNAMELEN];
	struct File *dir, *f;
	int r;

	if ((r = walk_path(path, &dir, &f, name)) == 0)
		return -E_FILE_EXISTS;
	if (r != -E_NOT_FOUND || dir == NULL)
		return r;
	if ((r = dir_alloc_file(dir, &f)) < 0)
		return r;
	memset(f, 0, sizeof(*f));
	strcpy(f->f_name, name);
	f->f_type = type;
	*pf = f;
	file_flush(dir);
	flush_block(f);
	return 0;
}

/* file_open: the file at path.  0, -E_NOT_FOUND, -E_BAD_PATH, -E_INVAL. */
int
file_open(const char *path, struct File **pf)
{
	return walk_path(path, NULL, pf, NULL);
}

/* file_remove: delete the file at path (a directory only if empty);
 * *removed is the entry it had.  0, -E_NOT_FOUND, -E_BAD_PATH (the
 * root), -E_INVAL (a directory with files in it, corrupt). */
int
file_remove(const char *path, struct File **removed)
{
	struct File *f, *entries;
	int r;

	if ((r = file_open(path, &f)) < 0)
		return r;
	if (f == &super->s_root)
		return -E_BAD_PATH;
	if (f->f_type == FTYPE_DIR) {
		for (uint32_t i = 0; i < nblocks_of(f->f_size); i++) {
			if ((r = file_get_block(f, i, (char **) &entries,
						false)) < 0)
				return r;
			for (uint32_t j = 0; j < BLKFILES; j++)
				if (entries[j].f_name[0] != '\0')
					return -E_INVAL;
		}
	}
	if ((r = file_set_size(f, 0)) < 0)
		return r;
	f->f_name[0] = '\0';
	/* The entry goes first, then the blocks it no longer points to. */
	flush_block(f);
	flush_bitmap();
	*removed = f;
	return 0;
}

/* fs_sync: write every dirty cached block back to the disk. */
void
fs_sync(void)
{
	if (super == NULL)
		return;
	for (uint32_t b = 1; b < super->s_nblocks; b++) {
		char *va = (char *) (DISKMAP + b * BLKSIZE);
		if (!(uvpd[PDX(va)] & PTE_P)) {
			b = ROUNDUP(b + 1, NPTENTRIES) - 1;
			continue;
		}
		flush_block(va);
	}
}

/* ---------------------------------------------------------------------
 * Mounting
 */

/* Checks the superblock and the bitmap of disk 1 and mounts it.
 * Returns 0, or -E_NOT_FOUND (no disk) or -E_INVAL (not a file system
 * we can use), with a line saying why. */
int
fs_init(void)
{
	uint32_t nsectors, disk_blocks, nbitmap;
	struct Super *s;
	int r;

	if ((r = ide_probe(1, &nsectors)) < 0) {
		cprintf("fs: cannot mount: there is no disk 1 (the file system "
			"image)\n");
		return r;
	}
	disk_blocks = nsectors / BLKSECTS;
	bc_init(disk_blocks);
	if (disk_blocks <= BITMAPBLOCK) {
		cprintf("fs: cannot mount: disk 1 has %u blocks\n",
			disk_blocks);
		return -E_INVAL;
	}
	s = diskaddr(SUPERBLOCK);
	if (s->s_magic != FS_MAGIC)
		r = corrupt("bad magic %08x in the superblock (want %08x)",
			    s->s_magic, FS_MAGIC);
	else if (s->s_nblocks <= BITMAPBLOCK || s->s_nblocks > disk_blocks)
		r = corrupt("the superblock says %u blocks; the disk has %u",
			    s->s_nblocks, disk_blocks);
	if (r < 0)
		goto fail;
	nbitmap = ROUNDUP(s->s_nblocks, BLKBITSIZE) / BLKBITSIZE;
	first_data = BITMAPBLOCK + nbitmap;
	if (first_data >= s->s_nblocks) {
		r = corrupt("no room for %u bitmap blocks", nbitmap);
		goto fail;
	}
	super = s;
	bitmap = diskaddr(BITMAPBLOCK);
	cprintf("superblock is good\n");
	for (uint32_t b = 0; b < first_data; b++)
		if (block_is_free(b)) {
			r = corrupt(
				"block %u (boot sector, superblock or bitmap) "
				"is marked free",
				b);
			goto fail;
		}
	cprintf("bitmap is good\n");
	if ((r = file_check(&super->s_root)) < 0)
		goto fail;
	if (super->s_root.f_type != FTYPE_DIR) {
		r = corrupt("the root is not a directory");
		goto fail;
	}
	return 0;

fail:
	super = NULL;
	bitmap = NULL;
	cprintf("fs: cannot mount disk 1: %e\n", r);
	return r;
}

/* Self-checks on the mounted file system that leave it as they found
 * it: allocation, opening, reading. */
void
fs_check(void)
{
	struct File *f;
	char *blk;
	int r;

	if ((r = alloc_block()) >= 0) {
		assert(!block_is_free(r));
		free_block(r);
		assert(block_is_free(r));
		cprintf("alloc_block is good\n");
	} else
		cprintf("alloc_block: %e (a full disk?)\n", r);
	if ((r = file_open("/not-found", &f)) != -E_NOT_FOUND) {
		cprintf("fs: self-check: file_open /not-found: %e\n", r);
		return;
	}
	if ((r = file_open("/", &f)) < 0 || f != &super->s_root) {
		cprintf("fs: self-check: file_open /: %e\n", r);
		return;
	}
	cprintf("file_open is good\n");
	if (f->f_size > 0) {
		if ((r = file_get_block(f, 0, &blk, false)) < 0)
			cprintf("fs: the root directory is unreadable: %e\n",
				r);
		else
			cprintf("file_get_block is good\n");
	}
}
