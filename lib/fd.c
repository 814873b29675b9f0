/*
 * The file descriptor table (lab 5): descriptor pages at FDTABLE and
 * the calls that go through them to a device (inc/fd.h).
 *
 * The table has no other state: descriptor fd is open exactly when the
 * page at FDTABLE + fd * PGSIZE is mapped, which the page tables
 * (uvpd/uvpt) tell us without a system call.
 */
#include <inc/lib.h>

#define FDINDEX_VA(i)	((uintptr_t) FDTABLE + (i) *PGSIZE)
#define FDINDEX_DATA(i) ((uintptr_t) FILEDATA + (i) *PTSIZE)

/* Every device a descriptor may belong to, by dev_id. */
static struct Dev *devtab[] = { &devfile, &devpipe, &devcons };

/* Is va mapped in this environment? */
static bool
mapped(uintptr_t va)
{
	return (uvpd[PDX(va)] & PTE_P) && (uvpt[PGNUM(va)] & PTE_P);
}

/* fd2num: the number of the descriptor whose page is fd. */
int
fd2num(struct Fd *fd)
{
	return ((uintptr_t) fd - FDTABLE) / PGSIZE;
}

/* fd2data: the start of fd's data region (PTSIZE bytes, mapped only by
 * the devices that use it). */
char *
fd2data(struct Fd *fd)
{
	return (char *) FDINDEX_DATA(fd2num(fd));
}

/*
 * fd_alloc: find the lowest-numbered free descriptor and store its page
 * address in *fd_store, WITHOUT mapping it: the caller maps a page there
 * (the device's open does).  Until then the descriptor stays free, so a
 * failed open leaves nothing behind.
 *
 * Returns 0, or -E_MAX_OPEN (and *fd_store = NULL) if all MAXFD are open.
 */
int
fd_alloc(struct Fd **fd_store)
{
	for (int i = 0; i < MAXFD; i++) {
		if (!mapped(FDINDEX_VA(i))) {
			*fd_store = (struct Fd *) FDINDEX_VA(i);
			return 0;
		}
	}
	*fd_store = NULL;
	return -E_MAX_OPEN;
}

/*
 * fd_lookup: the page of open descriptor fdnum, in *fd_store.
 * Returns 0, or -E_INVAL if fdnum is out of range or not open.
 */
int
fd_lookup(int fdnum, struct Fd **fd_store)
{
	if (fdnum < 0 || fdnum >= MAXFD || !mapped(FDINDEX_VA(fdnum)))
		return -E_INVAL;
	*fd_store = (struct Fd *) FDINDEX_VA(fdnum);
	return 0;
}

/*
 * fd_close: close descriptor page fd: its device's close, then unmap the
 * page.  must_exist false means "fd need not be in the table" (a
 * half-made descriptor): then a fd that is not there is no error.
 * Returns the device's result, or -E_INVAL for a missing fd that had to
 * exist.
 */
int
fd_close(struct Fd *fd, bool must_exist)
{
	struct Fd *found;
	struct Dev *dev;
	int r;

	if (fd_lookup(fd2num(fd), &found) < 0 || found != fd)
		return must_exist ? -E_INVAL : 0;
	if ((r = dev_lookup(fd->fd_dev_id, &dev)) >= 0)
		r = dev->dev_close != NULL ? dev->dev_close(fd) : 0;
	/* The page goes even if the device failed: the descriptor is
	 * closed either way. */
	sys_page_unmap(0, fd);
	return r;
}

/*
 * dev_lookup: the device numbered dev_id, in *dev_store.
 * Returns 0, or -E_INVAL for an unknown device (a corrupt fd page).
 */
int
dev_lookup(int dev_id, struct Dev **dev_store)
{
	for (size_t i = 0; i < sizeof(devtab) / sizeof(devtab[0]); i++) {
		if (devtab[i] != NULL && devtab[i]->dev_id == dev_id) {
			*dev_store = devtab[i];
			return 0;
		}
	}
	cprintf("[%08x] unknown device type %d\n", thisenv->env_id, dev_id);
	*dev_store = NULL;
	return -E_INVAL;
}

/* Looks up both the descriptor and its device. */
static int
fd_and_dev(int fdnum, struct Fd **fd, struct Dev **dev)
{
	int r;

	if ((r = fd_lookup(fdnum, fd)) < 0)
		return r;
	return dev_lookup((*fd)->fd_dev_id, dev);
}

/* close: close descriptor fdnum.  0, or -E_INVAL if it is not open. */
int
close(int fdnum)
{
	struct Fd *fd;
	int r;

	if ((r = fd_lookup(fdnum, &fd)) < 0)
		return r;
	return fd_close(fd, true);
}

/* close_all: close every descriptor (exit does, so a file's changes
 * reach the server and a pipe's reader sees the end). */
void
close_all(void)
{
	for (int i = 0; i < MAXFD; i++)
		close(i);
}

/*
 * dup: make newfdnum a copy of oldfdnum (closing newfdnum first if it
 * is open).  The two share the descriptor page, hence the offset, and
 * the data region.  Returns newfdnum, or -E_INVAL for a bad descriptor,
 * or a page-mapping error (then newfdnum is left closed).
 */
int
dup(int oldfdnum, int newfdnum)
{
	struct Fd *oldfd, *newfd;
	char *olddata, *newdata;
	int r;

	if ((r = fd_lookup(oldfdnum, &oldfd)) < 0)
		return r;
	if (newfdnum < 0 || newfdnum >= MAXFD)
		return -E_INVAL;
	if (newfdnum == oldfdnum)
		return newfdnum;
	close(newfdnum);

	newfd = (struct Fd *) FDINDEX_VA(newfdnum);
	olddata = fd2data(oldfd);
	newdata = fd2data(newfd);

	/* The data pages first: once the fd page is mapped, newfd is open
	 * and must be complete. */
	for (size_t i = 0; i < PTSIZE; i += PGSIZE) {
		/* A data region need not sit in one page table (FILEDATA
		 * is not 4 MiB-aligned): each page's own PDE says. */
		if (!mapped((uintptr_t) olddata + i))
			continue;
		pte_t pte = uvpt[PGNUM(olddata + i)];
		if ((r = sys_page_map(0, olddata + i, 0, newdata + i,
				      pte & PTE_SYSCALL)) < 0)
			goto err;
	}
	if ((r = sys_page_map(0, oldfd, 0, newfd,
			      uvpt[PGNUM(oldfd)] & PTE_SYSCALL)) < 0)
		goto err;
	return newfdnum;

err:
	sys_page_unmap(0, newfd);
	for (size_t i = 0; i < PTSIZE; i += PGSIZE)
		sys_page_unmap(0, newdata + i);
	return r;
}

/*
 * read: up to n bytes from fdnum at its offset into buf.  Returns the
 * number read (0 at the end of a file), -E_INVAL for a bad descriptor
 * or one open only for writing, or the device's error.
 */
ssize_t
read(int fdnum, void *buf, size_t n)
{
	struct Fd *fd;
	struct Dev *dev;
	int r;

	if ((r = fd_and_dev(fdnum, &fd, &dev)) < 0)
		return r;
	if ((fd->fd_omode & O_ACCMODE) == O_WRONLY) {
		cprintf("[%08x] read %d -- bad mode\n", thisenv->env_id, fdnum);
		return -E_INVAL;
	}
	if (dev->dev_read == NULL)
		return -E_NOT_SUPP;
	return dev->dev_read(fd, buf, n);
}

/*
 * readn: read exactly n bytes, looping over short reads; fewer only at
 * the end of the file.  Returns the number read, or the first error.
 */
ssize_t
readn(int fdnum, void *buf, size_t n)
{
	size_t total = 0;

	while (total < n) {
		ssize_t m = read(fdnum, (char *) buf + total, n - total);
		if (m < 0)
			return m;
		if (m == 0)
			break;
		total += m;
	}
	return total;
}

/*
 * write: n bytes from buf to fdnum at its offset.  Returns the number
 * written, -E_INVAL for a bad descriptor or one open only for reading,
 * or the device's error.
 */
ssize_t
write(int fdnum, const void *buf, size_t n)
{
	struct Fd *fd;
	struct Dev *dev;
	int r;

	if ((r = fd_and_dev(fdnum, &fd, &dev)) < 0)
		return r;
	if ((fd->fd_omode & O_ACCMODE) == O_RDONLY) {
		cprintf("[%08x] write %d -- bad mode\n", thisenv->env_id,
			fdnum);
		return -E_INVAL;
	}
	if (dev->dev_write == NULL)
		return -E_NOT_SUPP;
	return dev->dev_write(fd, buf, n);
}

/* seek: set fdnum's offset.  0, or -E_INVAL (bad fd, negative offset). */
int
seek(int fdnum, off_t offset)
{
	struct Fd *fd;
	int r;

	if ((r = fd_lookup(fdnum, &fd)) < 0)
		return r;
	if (offset < 0)
		return -E_INVAL;
	fd->fd_offset = offset;
	return 0;
}

/* ftruncate: set fdnum's file size.  0, -E_INVAL (bad fd, read-only),
 * -E_NOT_SUPP (the device has no size) or the server's error. */
int
ftruncate(int fdnum, off_t newsize)
{
	struct Fd *fd;
	struct Dev *dev;
	int r;

	if ((r = fd_and_dev(fdnum, &fd, &dev)) < 0)
		return r;
	if ((fd->fd_omode & O_ACCMODE) == O_RDONLY)
		return -E_INVAL;
	if (dev->dev_trunc == NULL)
		return -E_NOT_SUPP;
	return dev->dev_trunc(fd, newsize);
}

/* fstat: what fdnum is (name, size, directory?, device) in *stat.
 * 0, -E_INVAL (bad fd) or the device's error. */
int
fstat(int fdnum, struct Stat *stat)
{
	struct Fd *fd;
	struct Dev *dev;
	int r;

	if ((r = fd_and_dev(fdnum, &fd, &dev)) < 0)
		return r;
	memset(stat, 0, sizeof(*stat));
	stat->st_dev = dev;
	if (dev->dev_stat == NULL)
		return -E_NOT_SUPP;
	return dev->dev_stat(fd, stat);
}

/* stat: fstat of the file at path (opened read-only for the moment). */
int
stat(const char *path, struct Stat *stat)
{
	int fd, r;

	if ((fd = open(path, O_RDONLY)) < 0)
		return fd;
	r = fstat(fd, stat);
	close(fd);
	return r;
}
