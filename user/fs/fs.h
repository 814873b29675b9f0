/*
 * The file server's own declarations (user/fs/): the disk driver
 * (ide.c), the block cache (bc.c), the file system (fs.c) and the
 * request server (serv.c).  The on-disk format is inc/fs.h.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <inc/lib.h>

/* A sector is the disk's unit, a block the file system's. */
#define SECTSIZE 512
#define BLKSECTS (BLKSIZE / SECTSIZE)

/* The block cache maps disk block b at DISKMAP + b * BLKSIZE, so the
 * largest disk it can hold is DISKSIZE (inc/memlayout.h). */

/* ide.c */
int ide_probe(int diskno, uint32_t *nsectors);
int ide_read(uint32_t secno, void *dst, size_t nsecs);
int ide_write(uint32_t secno, const void *src, size_t nsecs);

/* bc.c */
void *diskaddr(uint32_t blockno);
bool va_is_mapped(void *va);
bool va_is_dirty(void *va);
void flush_block(void *addr);
void bc_discard(uint32_t blockno);
void bc_zero(uint32_t blockno);
void bc_init(uint32_t disk_blocks);

/* fs.c */
extern struct Super *super;
extern uint32_t *bitmap;
int fs_init(void);
bool fs_mounted(void);
bool block_is_free(uint32_t blockno);
int alloc_block(void);
void free_block(uint32_t blockno);
int file_get_block(struct File *f, uint32_t filebno, char **blk, bool alloc);
int file_create(const char *path, struct File **pfile, int type);
int file_open(const char *path, struct File **pfile);
ssize_t file_read(struct File *f, void *buf, size_t count, off_t offset);
ssize_t file_write(struct File *f, const void *buf, size_t count, off_t offset);
int file_set_size(struct File *f, off_t newsize);
void file_flush(struct File *f);
int file_remove(const char *path, struct File **removed);
void fs_sync(void);
void fs_check(void);

#endif /* !FS_FS_H */
