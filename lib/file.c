/*
 * Files (lab 5): the client side of the file server.  Every operation
 * on a file is a request to the server (user/fs/serv.c), made with
 * lab 4's combined IPC call: one kernel entry sends the request page and
 * waits for the reply.  devfile is the struct Dev of file descriptors
 * (inc/fd.h) whose fd_file.id is a server's open-file id.
 */
#include <inc/lib.h>

/* The request page, shared with the server during each request (it
 * reads the request from it, and writes READ's and STAT's results back
 * into it). */
static union Fsipc fsipcbuf __attribute__((aligned(PGSIZE)));

/*
 * fsipc: send request `type` (FSREQ_*), whose arguments are in the page
 * req (fsipcbuf, usually), to the file server and return its reply.  If
 * dstva is not NULL, the page the server sends back (OPEN's struct Fd)
 * is mapped there.  Returns -E_NOT_FOUND if there is no file server.
 */
static int
fsipc_page(unsigned type, union Fsipc *req, void *dstva)
{
	static envid_t fsenv;

	if (fsenv == 0)
		fsenv = ipc_find_env(ENV_TYPE_FS);
	if (fsenv == 0)
		return -E_NOT_FOUND;
	return ipc_call(fsenv, type, req, PTE_P | PTE_W | PTE_U, dstva, NULL);
}

static int
fsipc(unsigned type, void *dstva)
{
	return fsipc_page(type, &fsipcbuf, dstva);
}

static ssize_t devfile_read(struct Fd *fd, void *buf, size_t n);
static ssize_t devfile_write(struct Fd *fd, const void *buf, size_t n);
static int devfile_close(struct Fd *fd);
static int devfile_stat(struct Fd *fd, struct Stat *stat);
static int devfile_trunc(struct Fd *fd, off_t newsize);

struct Dev devfile = {
	.dev_id = 'f',
	.dev_name = "file",
	.dev_read = devfile_read,
	.dev_write = devfile_write,
	.dev_close = devfile_close,
	.dev_stat = devfile_stat,
	.dev_trunc = devfile_trunc,
};

/*
 * open: open the file at path (absolute; a relative path is taken from
 * the root) with mode O_RDONLY/O_WRONLY/O_RDWR, plus O_CREAT, O_TRUNC,
 * O_EXCL, O_MKDIR.  Returns the new descriptor's number, or
 * -E_BAD_PATH (path too long), -E_MAX_OPEN (no free descriptor) or the
 * server's error (-E_NOT_FOUND, -E_FILE_EXISTS, -E_NO_DISK, ...).
 */
int
open(const char *path, int mode)
{
	struct Fd *fd;
	int r;

	if (strlen(path) >= MAXPATHLEN)
		return -E_BAD_PATH;
	if ((r = fd_alloc(&fd)) < 0)
		return r;
	strcpy(fsipcbuf.open.req_path, path);
	fsipcbuf.open.req_omode = mode;
	/* The server replies with the descriptor page itself, mapped at fd:
	 * that is what makes fd open. */
	if ((r = fsipc(FSREQ_OPEN, fd)) < 0) {
		fd_close(fd, false);
		return r;
	}
	if (!(uvpt[PGNUM(fd)] & PTE_P) || !(uvpd[PDX(fd)] & PTE_P))
		return -E_INVAL;
	return fd2num(fd);
}

/* devfile_close: tell the server to write the file's changes back
 * (FLUSH); unmapping the descriptor page (fd_close) then closes it. */
static int
devfile_close(struct Fd *fd)
{
	fsipcbuf.flush.req_fileid = fd->fd_file.id;
	return fsipc(FSREQ_FLUSH, NULL);
}

/* Can the page at va be the request page itself: mapped, writable and
 * ours alone to write (not copy-on-write)? */
static bool
writable_page(void *va)
{
	return (uvpd[PDX(va)] & PTE_P) &&
	       (uvpt[PGNUM(va)] & (PTE_P | PTE_W | PTE_U)) ==
		       (PTE_P | PTE_W | PTE_U);
}

/*
 * devfile_read: up to n bytes of the file at fd's offset, into buf;
 * at most a page per request (the reply comes back in the request
 * page).  The server advances the offset.  Returns the number read (0
 * at the end) or the server's error.
 *
 * A whole, page-aligned page of buf is sent as the request page itself,
 * so that the server's copy lands where the caller wants it and the
 * copy out of fsipcbuf is saved (a quarter of a cache-hot read's cost;
 * docs/performance.md).
 */
static ssize_t
devfile_read(struct Fd *fd, void *buf, size_t n)
{
	union Fsipc *req = &fsipcbuf;
	struct Fsreq_read saved;
	int r;

	/* The reply overwrites the request: keep n. */
	n = MIN(n, sizeof(fsipcbuf.readRet.ret_buf));
	if (n == PGSIZE && PGOFF(buf) == 0 && writable_page(buf)) {
		req = buf;
		memmove(&saved, buf, sizeof(saved));
	}
	req->read.req_fileid = fd->fd_file.id;
	req->read.req_n = n;
	r = fsipc_page(FSREQ_READ, req, NULL);
	if (req != &fsipcbuf) {
		/* Bytes of buf the reply did not cover are as they were. */
		if (r < (int) sizeof(saved))
			memmove((char *) buf + MAX(r, 0),
				(char *) &saved + MAX(r, 0),
				sizeof(saved) - MAX(r, 0));
	} else if (r > 0 && (size_t) r <= n)
		memmove(buf, fsipcbuf.readRet.ret_buf, r);
	if ((size_t) r > n && r > 0)
		return -E_INVAL; /* a server gone mad */
	return r;
}

/*
 * devfile_write: n bytes from buf to the file at fd's offset, in
 * requests of at most sizeof(req_buf) bytes each; the server grows the
 * file as needed and advances the offset.  Returns the number written
 * (all n unless an error stopped it part way), or the server's error if
 * nothing was written.
 */
static ssize_t
devfile_write(struct Fd *fd, const void *buf, size_t n)
{
	size_t done = 0;
	int r;

	while (done < n) {
		size_t chunk = MIN(n - done, sizeof(fsipcbuf.write.req_buf));
		fsipcbuf.write.req_fileid = fd->fd_file.id;
		fsipcbuf.write.req_n = chunk;
		memmove(fsipcbuf.write.req_buf, (const char *) buf + done,
			chunk);
		if ((r = fsipc(FSREQ_WRITE, NULL)) < 0)
			return done > 0 ? (ssize_t) done : r;
		done += r;
		if ((size_t) r < chunk)
			break;
	}
	return done;
}

/* devfile_stat: the file's name, size and type, from the server. */
static int
devfile_stat(struct Fd *fd, struct Stat *st)
{
	int r;

	fsipcbuf.stat.req_fileid = fd->fd_file.id;
	if ((r = fsipc(FSREQ_STAT, NULL)) < 0)
		return r;
	strlcpy(st->st_name, fsipcbuf.statRet.ret_name, sizeof(st->st_name));
	st->st_size = fsipcbuf.statRet.ret_size;
	st->st_isdir = fsipcbuf.statRet.ret_isdir;
	return 0;
}

/* devfile_trunc: set the file's size (freeing or zero-extending). */
static int
devfile_trunc(struct Fd *fd, off_t newsize)
{
	fsipcbuf.set_size.req_fileid = fd->fd_file.id;
	fsipcbuf.set_size.req_size = newsize;
	return fsipc(FSREQ_SET_SIZE, NULL);
}

/* remove: delete the file at path.  0 or the server's error. */
int
remove(const char *path)
{
	if (strlen(path) >= MAXPATHLEN)
		return -E_BAD_PATH;
	strcpy(fsipcbuf.remove.req_path, path);
	return fsipc(FSREQ_REMOVE, NULL);
}

/* sync: write every changed block to the disk.  0 or an error. */
int
sync(void)
{
	return fsipc(FSREQ_SYNC, NULL);
}
