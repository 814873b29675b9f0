/*
 * File descriptors (lab 5): the library OS's one interface to files,
 * pipes and the console.
 *
 * A file descriptor is a page, struct Fd, at FDTABLE + fd * PGSIZE;
 * descriptor fd is open exactly when its page is mapped.  Because it
 * is a page, it can be shared: fork and spawn map it (PTE_SHARE) into
 * the child, so parent and child share one offset, as Unix does.  Each
 * descriptor may also own a data region, fd2data(fd) (a pipe's buffer).
 * What an operation does depends on the device (struct Dev) the
 * descriptor belongs to: devfile (lib/file.c), devpipe (lib/pipe.c),
 * devcons (lib/console.c).
 */
#ifndef INC_FD_H
#define INC_FD_H

#include <inc/types.h>
#include <inc/fs.h>

/* The most descriptors a program has open at once. */
#define MAXFD 32
/* Where the descriptor pages are; their data regions (a page table's
 * worth each) follow them. */
#define FDTABLE	 0xD0000000
#define FILEDATA (FDTABLE + MAXFD * PGSIZE)

/* open's modes (the low two bits are the access mode). */
#define O_RDONLY  0x0000
#define O_WRONLY  0x0001
#define O_RDWR	  0x0002
#define O_ACCMODE 0x0003
#define O_CREAT	  0x0100 /* create the file if it is not there */
#define O_TRUNC	  0x0200 /* cut it to length 0 */
#define O_EXCL	  0x0400 /* with O_CREAT: fail if it exists */
#define O_MKDIR	  0x0800 /* create a directory, not a file */

struct Fd;
struct Stat;

/* A device: the operations behind a kind of descriptor.  Each returns
 * what the matching call does (bytes moved, 0, or -E_*). */
struct Dev {
	int dev_id;
	const char *dev_name;
	ssize_t (*dev_read)(struct Fd *fd, void *buf, size_t len);
	ssize_t (*dev_write)(struct Fd *fd, const void *buf, size_t len);
	int (*dev_close)(struct Fd *fd);
	int (*dev_stat)(struct Fd *fd, struct Stat *stat);
	int (*dev_trunc)(struct Fd *fd, off_t length);
};

struct FdFile {
	int id; /* the file server's open-file id */
};

struct Fd {
	int fd_dev_id;	 /* which struct Dev */
	off_t fd_offset; /* where the next read or write starts */
	int fd_omode;	 /* open's mode */
	union {
		struct FdFile fd_file; /* devfile's state */
	};
};

struct Stat {
	char st_name[MAXNAMELEN];
	off_t st_size;
	int st_isdir;
	struct Dev *st_dev;
};

/* The devices (the last two from lib/pipe.c and lib/console.c). */
extern struct Dev devfile;
extern struct Dev devpipe;
extern struct Dev devcons;

/* lib/fd.c: the table itself. */
char *fd2data(struct Fd *fd);
int fd2num(struct Fd *fd);
int fd_alloc(struct Fd **fd_store);
int fd_close(struct Fd *fd, bool must_exist);
int fd_lookup(int fdnum, struct Fd **fd_store);
int dev_lookup(int dev_id, struct Dev **dev_store);

/* lib/fd.c: the calls programs make. */
int close(int fd);
ssize_t read(int fd, void *buf, size_t nbytes);
ssize_t write(int fd, const void *buf, size_t nbytes);
int seek(int fd, off_t offset);
void close_all(void);
ssize_t readn(int fd, void *buf, size_t nbytes);
int dup(int oldfd, int newfd);
int fstat(int fd, struct Stat *statbuf);
int stat(const char *path, struct Stat *statbuf);
int ftruncate(int fd, off_t size);

/* lib/file.c: files through the file server. */
int open(const char *path, int mode);
int remove(const char *path);
int sync(void);

#endif /* !INC_FD_H */
