/*
 * The file system (lab 5): its on-disk format and the file server's
 * requests.  Shared by the server (user/fs/), the client library
 * (lib/file.c) and, through the same numbers, the host tools
 * (user/fs/mkfsimg.py builds an image, user/fs/fsck.py checks one).
 *
 * The disk is an array of BLKSIZE blocks:
 *   block 0       the boot sector (unused by the file system)
 *   block 1       the superblock (struct Super)
 *   block 2...    the free-block bitmap, one bit per block, 1 = free
 *   the rest      file and directory data, indirect blocks
 * A file is a struct File: NDIRECT block numbers in the File itself,
 * then an indirect block of NINDIRECT more.  A directory is a file
 * whose blocks are arrays of struct File; an entry whose name is empty
 * is free.  The root directory's File lives in the superblock.
 */
#ifndef INC_FS_H
#define INC_FS_H

#include <inc/types.h>
#include <inc/mmu.h>

/* A block is a page: the block cache maps one block per page. */
#define BLKSIZE	   PGSIZE
#define BLKBITSIZE (BLKSIZE * 8) /* blocks one bitmap block covers */

/* Longest file name, with its terminating NUL; longest path. */
#define MAXNAMELEN 128
#define MAXPATHLEN 1024

/* Block numbers in a File, and in its indirect block. */
#define NDIRECT	  10
#define NINDIRECT (BLKSIZE / 4)

#define MAXFILESIZE ((NDIRECT + NINDIRECT) * BLKSIZE)

struct File {
	char f_name[MAXNAMELEN];    /* NUL-terminated */
	off_t f_size;		    /* in bytes */
	uint32_t f_type;	    /* FTYPE_REG or FTYPE_DIR */
	uint32_t f_direct[NDIRECT]; /* 0: no block */
	uint32_t f_indirect;	    /* 0: none */
	/* Pad to 256 bytes, so that a block holds a whole number of
	 * Files.  Every field is naturally aligned: no packing needed. */
	uint8_t f_pad[256 - MAXNAMELEN - 8 - 4 * NDIRECT - 4];
};

/* Directory entries in one directory block. */
#define BLKFILES (BLKSIZE / sizeof(struct File))

#define FTYPE_REG 0
#define FTYPE_DIR 1

/* The superblock, at the start of block 1. */
#define FS_MAGIC    0x4A0530AE
#define SUPERBLOCK  1
#define BITMAPBLOCK 2

struct Super {
	uint32_t s_magic;   /* FS_MAGIC */
	uint32_t s_nblocks; /* blocks on the disk, all of them */
	struct File s_root; /* the root directory */
};

/*
 * The file server's requests.  A client sends the request's number as
 * the IPC value and a union Fsipc in the page sent along; the reply's
 * value is the result (>= 0, or -E_*).  READ's data comes back in the
 * same page (readRet), STAT's in statRet; OPEN's reply carries the
 * struct Fd page, which the client maps at its new file descriptor.
 * The numbers are the ABI: never renumber.
 */
enum {
	FSREQ_OPEN = 1,
	FSREQ_SET_SIZE,
	FSREQ_READ,
	FSREQ_WRITE,
	FSREQ_STAT,
	FSREQ_FLUSH,
	FSREQ_REMOVE,
	FSREQ_SYNC,
};

union Fsipc {
	struct Fsreq_open {
		char req_path[MAXPATHLEN];
		int req_omode;
	} open;
	struct Fsreq_set_size {
		int req_fileid;
		off_t req_size;
	} set_size;
	struct Fsreq_read {
		int req_fileid;
		size_t req_n;
	} read;
	struct Fsret_read {
		char ret_buf[PGSIZE];
	} readRet;
	struct Fsreq_write {
		int req_fileid;
		size_t req_n;
		char req_buf[PGSIZE - (sizeof(int) + sizeof(size_t))];
	} write;
	struct Fsreq_stat {
		int req_fileid;
	} stat;
	struct Fsret_stat {
		char ret_name[MAXNAMELEN];
		off_t ret_size;
		int ret_isdir;
	} statRet;
	struct Fsreq_flush {
		int req_fileid;
	} flush;
	struct Fsreq_remove {
		char req_path[MAXPATHLEN];
	} remove;
	/* The union is exactly a page. */
	char _pad[PGSIZE];
};

#endif /* !INC_FS_H */
