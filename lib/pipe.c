/*
 * Pipes (lab 5): a one-way byte stream between environments, built
 * from nothing but shared memory.
 *
 * pipe() makes two descriptors, a read end and a write end, whose data
 * regions (fd2data) map one and the same page: struct Pipe, a ring
 * buffer with a read and a write position.  Both descriptor pages and
 * the buffer page carry PTE_SHARE, so fork and spawn pass all of them
 * on: the child writes into the very page its parent reads.
 *
 * There is no kernel object to say "the writer has gone".  Instead each
 * end counts mappings: the buffer page is mapped once for every mapping
 * of either descriptor page, so
 *	pageref(buffer) == pageref(this end's fd page)
 * means that no one holds the other end any more.  See pipeisclosed
 * for what makes that comparison safe.
 */
#include <inc/lib.h>

#define DEVPIPE_ID 'p'

/* The whole page is the pipe: two positions and the rest buffer. */
#define PIPEBUFSIZ (PGSIZE - 2 * sizeof(uint32_t))

struct Pipe {
	/* Free-running byte counts: p_wpos - p_rpos is the number of
	 * bytes waiting, p_pos % PIPEBUFSIZ where they are.  Each is
	 * written by one side only (the readers, the writers), so the
	 * ring needs no lock. */
	volatile uint32_t p_rpos;
	volatile uint32_t p_wpos;
	uint8_t p_buf[PIPEBUFSIZ];
};

static ssize_t devpipe_read(struct Fd *fd, void *buf, size_t n);
static ssize_t devpipe_write(struct Fd *fd, const void *buf, size_t n);
static int devpipe_close(struct Fd *fd);
static int devpipe_stat(struct Fd *fd, struct Stat *stat);

struct Dev devpipe = {
	.dev_id = DEVPIPE_ID,
	.dev_name = "pipe",
	.dev_read = devpipe_read,
	.dev_write = devpipe_write,
	.dev_close = devpipe_close,
	.dev_stat = devpipe_stat,
};

/*
 * pipe: a new pipe; pfd[0] is its read end, pfd[1] its write end.
 * Returns 0, or -E_MAX_OPEN / -E_NO_MEM with nothing left allocated.
 */
int
pipe(int pfd[2])
{
	const int perm = PTE_P | PTE_U | PTE_W | PTE_SHARE;
	struct Fd *rfd, *wfd;
	void *buffer;
	int r;

	/* fd_alloc only finds a free slot; the page makes it taken. */
	if ((r = fd_alloc(&rfd)) < 0 || (r = sys_page_alloc(0, rfd, perm)) < 0)
		return r;
	if ((r = fd_alloc(&wfd)) < 0 || (r = sys_page_alloc(0, wfd, perm)) < 0)
		goto unmap_rfd;

	/* The buffer, mapped as both ends' data.  Mapping it before
	 * anyone else could see the descriptors keeps the invariant
	 * pipeisclosed relies on (see there). */
	buffer = fd2data(rfd);
	if ((r = sys_page_alloc(0, buffer, perm)) < 0)
		goto unmap_wfd;
	if ((r = sys_page_map(0, buffer, 0, fd2data(wfd), perm)) < 0)
		goto unmap_buffer;

	rfd->fd_dev_id = DEVPIPE_ID;
	rfd->fd_omode = O_RDONLY;
	wfd->fd_dev_id = DEVPIPE_ID;
	wfd->fd_omode = O_WRONLY;
	pfd[0] = fd2num(rfd);
	pfd[1] = fd2num(wfd);
	return 0;

unmap_buffer:
	sys_page_unmap(0, buffer);
unmap_wfd:
	sys_page_unmap(0, wfd);
unmap_rfd:
	sys_page_unmap(0, rfd);
	return r;
}

/*
 * Whether the other end of fd's pipe is closed everywhere.
 *
 * Every mapping of a descriptor page comes with a mapping of its
 * buffer, so normally pageref(p) = pageref(read fd) + pageref(write
 * fd), and one end is gone when pageref(this fd) == pageref(p).  Two
 * things make a naive comparison lie:
 *
 *  1. The two counts are read one after the other, and between the
 *     reads another environment may map or unmap.  On one CPU that
 *     can only happen if this environment was descheduled between the
 *     reads: thisenv->env_runs then differs, and we read again.
 *  2. Between its two system calls, a mapper shows a half-done state.
 *     The library keeps it harmless by ORDER: a buffer is always mapped
 *     before its descriptor page (pipe, dup, fork, spawn) and a
 *     descriptor page always unmapped before its buffer (devpipe_close,
 *     and the kernel's env_free, which unmaps in address order), so no
 *     half-done state has fewer buffer mappings than it should.
 *  3. With several CPUs, another environment runs WHILE we read, and
 *     env_runs cannot see it: a dup and a close elsewhere between our
 *     two reads can make the counts look equal for that moment (an
 *     "A-B-A": each count was right when read, but not at the same
 *     time).  A real close is final, though: once no one holds the
 *     other end, no one can get it back.  So "closed" is believed only
 *     if it is seen again after giving the CPU away; a false one
 *     needs the same unlucky interleaving again.  (testpiperace on two
 *     CPUs finds the A-B-A within a minute without this.)
 */
static bool
counts_say_closed(struct Fd *fd, struct Pipe *p)
{
	for (;;) {
		int runs = thisenv->env_runs;
		int fd_refs = pageref(fd);
		int pipe_refs = pageref(p);
		if (runs == thisenv->env_runs)
			return fd_refs == pipe_refs;
	}
}

static int
_pipeisclosed(struct Fd *fd, struct Pipe *p)
{
	for (int confirmations = 0; confirmations < 3; confirmations++) {
		if (!counts_say_closed(fd, p))
			return 0;
		if (confirmations < 2)
			sys_yield();
	}
	return 1;
}

/* pipeisclosed: 1 if the other end of pipe descriptor fdnum is closed,
 * 0 if not, or -E_INVAL if fdnum is not open. */
int
pipeisclosed(int fdnum)
{
	struct Fd *fd;
	int r;

	if ((r = fd_lookup(fdnum, &fd)) < 0)
		return r;
	return _pipeisclosed(fd, (struct Pipe *) fd2data(fd));
}

/*
 * Reads what is there, up to n bytes; waits (yielding) only while the
 * pipe is empty.  Returns the count, or 0 once the pipe is empty and
 * every writer has closed it.
 */
static ssize_t
devpipe_read(struct Fd *fd, void *buf, size_t n)
{
	struct Pipe *p = (struct Pipe *) fd2data(fd);
	uint8_t *out = buf;
	size_t got = 0;

	if (n == 0)
		return 0;
	while (p->p_rpos == p->p_wpos) {
		/* Closed but empty: the end of the stream.  (Check
		 * emptiness again: the writer may have written and then
		 * closed between our two looks.) */
		if (_pipeisclosed(fd, p) && p->p_rpos == p->p_wpos)
			return 0;
		sys_yield();
	}
	while (got < n && p->p_rpos != p->p_wpos) {
		out[got++] = p->p_buf[p->p_rpos % PIPEBUFSIZ];
		/* The byte must be out before the position moves on. */
		asm volatile("" ::: "memory");
		p->p_rpos++;
	}
	return got;
}

/*
 * Writes all n bytes, waiting (yielding) while the pipe is full.
 * Returns n, or the count written so far (0 if none) once every reader
 * has closed the pipe: nobody will ever read more.
 */
static ssize_t
devpipe_write(struct Fd *fd, const void *buf, size_t n)
{
	struct Pipe *p = (struct Pipe *) fd2data(fd);
	const uint8_t *in = buf;
	size_t put = 0;

	/* Nobody to read it: write nothing. */
	if (n > 0 && _pipeisclosed(fd, p))
		return 0;
	while (put < n) {
		if (p->p_wpos - p->p_rpos >= PIPEBUFSIZ) {
			if (_pipeisclosed(fd, p))
				return put;
			sys_yield();
			continue;
		}
		p->p_buf[p->p_wpos % PIPEBUFSIZ] = in[put++];
		asm volatile("" ::: "memory");
		p->p_wpos++;
	}
	return put;
}

/* The descriptor page goes first, then the buffer: see _pipeisclosed.
 * (fd_close's own unmap of the page then finds nothing.) */
static int
devpipe_close(struct Fd *fd)
{
	sys_page_unmap(0, fd);
	return sys_page_unmap(0, fd2data(fd));
}

static int
devpipe_stat(struct Fd *fd, struct Stat *stat)
{
	struct Pipe *p = (struct Pipe *) fd2data(fd);

	strcpy(stat->st_name, "<pipe>");
	stat->st_size = p->p_wpos - p->p_rpos;
	stat->st_isdir = 0;
	stat->st_dev = &devpipe;
	return 0;
}
