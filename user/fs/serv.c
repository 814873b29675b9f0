/*
 * The file server's main loop: requests (inc/fs.h, FSREQ_*) arrive by
 * IPC with a page holding a union Fsipc; each is checked, served, and
 * answered with lab 4's reply-and-receive call, which also waits for
 * the next one.
 *
 * Clients are not trusted: every field of a request is checked (file
 * ids, sizes, offsets, a path's terminating NUL), a request without a
 * writable page is refused, and a reply that cannot be delivered is
 * dropped, so no client can crash the server or make it wait.
 *
 * Open files: an OpenFile per open, whose struct Fd page the server
 * shares with the client (the client's descriptor IS that page: the
 * offset lives there).  A file id is the table index plus MAXOPEN times
 * a generation number that grows each time the slot is reused, so an
 * old id stops working once its slot has a new owner.  A slot is free
 * when only the server still maps its Fd page: every client that had
 * it has closed it or exited.
 */
#include "fs.h"
#include <inc/x86.h>

#define MAXOPEN 1024
/* Where the Fd pages of the open files are, in the server. */
#define OPENFILE_VA 0xE0000000
/* Where requests arrive. */
#define REQVA 0x0FFFF000

struct OpenFile {
	uint32_t o_fileid;   /* the id the client knows it by */
	struct File *o_file; /* NULL once the file is removed */
	int o_mode;	     /* open's mode */
	struct Fd *o_fd;     /* the Fd page shared with the client */
};

static struct OpenFile opentab[MAXOPEN];
static union Fsipc *fsreq = (union Fsipc *) REQVA;

/* How many environments map the page at va (the kernel's pp_ref, read
 * through pages[]). */
static int
page_refs(void *va)
{
	if (!(uvpd[PDX(va)] & PTE_P) || !(uvpt[PGNUM(va)] & PTE_P))
		return 0;
	return pages[PGNUM(uvpt[PGNUM(va)])].pp_ref;
}

static void
serve_init(void)
{
	for (int i = 0; i < MAXOPEN; i++) {
		opentab[i].o_fileid = i;
		opentab[i].o_fd = (struct Fd *) (OPENFILE_VA + i * PGSIZE);
	}
}

/* A free slot, with a fresh id and a zeroed Fd page. */
static int
openfile_alloc(struct OpenFile **o)
{
	int r;

	for (int i = 0; i < MAXOPEN; i++) {
		switch (page_refs(opentab[i].o_fd)) {
		case 0:
			if ((r = sys_page_alloc(0, opentab[i].o_fd,
						PTE_P | PTE_U | PTE_W)) < 0)
				return r;
			/* fall through */
		case 1:
			opentab[i].o_fileid += MAXOPEN;
			memset(opentab[i].o_fd, 0, PGSIZE);
			*o = &opentab[i];
			return 0;
		}
	}
	return -E_MAX_OPEN;
}

/* The open file `fileid`, if it is current and still open.  -E_INVAL
 * for an unknown, stale or closed id; -E_NOT_FOUND if the file was
 * removed while open. */
static int
openfile_lookup(int fileid, struct OpenFile **po)
{
	struct OpenFile *o;

	if (fileid < 0)
		return -E_INVAL;
	o = &opentab[fileid % MAXOPEN];
	if (o->o_fileid != (uint32_t) fileid || page_refs(o->o_fd) <= 1)
		return -E_INVAL;
	if (o->o_file == NULL)
		return -E_NOT_FOUND;
	*po = o;
	return 0;
}

/* A path in a request: it must end within the field. */
static int
request_path(const char *field, char *path)
{
	if (strnlen(field, MAXPATHLEN) == MAXPATHLEN)
		return -E_BAD_PATH;
	strcpy(path, field);
	return 0;
}

/* OPEN: open (or create) req_path; the reply carries the Fd page. */
static int
serve_open(envid_t envid, struct Fsreq_open *req, void **pg_store,
	   int *perm_store)
{
	char path[MAXPATHLEN];
	int mode = req->req_omode;
	struct OpenFile *o;
	struct File *f;
	int r;

	if ((r = request_path(req->req_path, path)) < 0)
		return r;
	if ((mode & O_ACCMODE) == O_ACCMODE)
		return -E_INVAL;
	if (mode & O_CREAT) {
		r = file_create(path, &f,
				mode & O_MKDIR ? FTYPE_DIR : FTYPE_REG);
		if (r == -E_FILE_EXISTS && !(mode & O_EXCL))
			r = file_open(path, &f);
	} else
		r = file_open(path, &f);
	if (r < 0)
		return r;
	/* A directory's contents are the server's business: read only. */
	if (f->f_type == FTYPE_DIR &&
	    ((mode & O_ACCMODE) != O_RDONLY || (mode & O_TRUNC)))
		return -E_INVAL;
	if ((r = openfile_alloc(&o)) < 0)
		return r;
	if ((mode & O_TRUNC) && (r = file_set_size(f, 0)) < 0)
		return r;
	o->o_file = f;
	o->o_mode = mode;
	o->o_fd->fd_file.id = o->o_fileid;
	o->o_fd->fd_omode = mode & O_ACCMODE;
	o->o_fd->fd_dev_id = devfile.dev_id;
	*pg_store = o->o_fd;
	*perm_store = PTE_P | PTE_U | PTE_W | PTE_SHARE;
	return 0;
}

/* SET_SIZE: the file's new size. */
static int
serve_set_size(envid_t envid, struct Fsreq_set_size *req)
{
	struct OpenFile *o;
	int r;

	if ((r = openfile_lookup(req->req_fileid, &o)) < 0)
		return r;
	if ((o->o_mode & O_ACCMODE) == O_RDONLY)
		return -E_INVAL;
	return file_set_size(o->o_file, req->req_size);
}

/*
 * serve_read: read up to req_n bytes (at most a page) of the open file
 * req_fileid at its Fd's offset, into the request page's ret_buf, and
 * advance the offset (lab 5, exercise 5).  Returns the number of bytes
 * read (0 at the end of the file), or the error of openfile_lookup or
 * file_read.
 *
 * The request page is shared with the client, which may be changing it
 * while we work: read req_fileid and req_n once, into locals, before
 * writing the reply over them.  The offset is in o->o_fd, the Fd page
 * shared with the client.
 */
static int
serve_read(envid_t envid, union Fsipc *ipc)
{
#if SOL >= 5
	int fileid = ipc->read.req_fileid;
	size_t n = MIN(ipc->read.req_n, sizeof(ipc->readRet.ret_buf));
	struct OpenFile *o;
	ssize_t r;

	if ((r = openfile_lookup(fileid, &o)) < 0)
		return r;
	if ((r = file_read(o->o_file, ipc->readRet.ret_buf, n,
			   o->o_fd->fd_offset)) > 0)
		o->o_fd->fd_offset += r;
	return r;
#else
	/* LAB 5: Your code here (exercise 5). */
	cprintf("serve_read: not implemented (lab 5, exercise 5)\n");
	return -E_NOT_SUPP;
#endif
}

/*
 * serve_write: write req_n bytes of req_buf to the open file req_fileid
 * at its Fd's offset, growing the file if needed, and advance the
 * offset (lab 5, exercise 5).  req_n larger than req_buf is clipped to
 * it.  Returns the number of bytes written, or the error of
 * openfile_lookup or file_write; -E_INVAL if the file was opened
 * read-only.
 * Hint: copy the request's fields into locals first, as serve_read.
 */
static int
serve_write(envid_t envid, union Fsipc *ipc)
{
#if SOL >= 5
	int fileid = ipc->write.req_fileid;
	size_t n = MIN(ipc->write.req_n, sizeof(ipc->write.req_buf));
	struct OpenFile *o;
	ssize_t r;

	if ((r = openfile_lookup(fileid, &o)) < 0)
		return r;
	if ((o->o_mode & O_ACCMODE) == O_RDONLY)
		return -E_INVAL;
	if ((r = file_write(o->o_file, ipc->write.req_buf, n,
			    o->o_fd->fd_offset)) > 0)
		o->o_fd->fd_offset += r;
	return r;
#else
	/* LAB 5: Your code here (exercise 5). */
	cprintf("serve_write: not implemented (lab 5, exercise 5)\n");
	return -E_NOT_SUPP;
#endif
}

/* STAT: name, size and type, in statRet. */
static int
serve_stat(envid_t envid, union Fsipc *ipc)
{
	struct OpenFile *o;
	int r;

	if ((r = openfile_lookup(ipc->stat.req_fileid, &o)) < 0)
		return r;
	strlcpy(ipc->statRet.ret_name, o->o_file->f_name, MAXNAMELEN);
	ipc->statRet.ret_size = o->o_file->f_size;
	ipc->statRet.ret_isdir = o->o_file->f_type == FTYPE_DIR;
	return 0;
}

/* FLUSH: the file's changes to the disk (the client is closing it). */
static int
serve_flush(envid_t envid, struct Fsreq_flush *req)
{
	struct OpenFile *o;
	int r;

	if ((r = openfile_lookup(req->req_fileid, &o)) < 0)
		return r;
	file_flush(o->o_file);
	return 0;
}

/* REMOVE: delete req_path; files still open on it stop working. */
static int
serve_remove(envid_t envid, struct Fsreq_remove *req)
{
	char path[MAXPATHLEN];
	struct File *f;
	int r;

	if ((r = request_path(req->req_path, path)) < 0)
		return r;
	if ((r = file_remove(path, &f)) < 0)
		return r;
	for (int i = 0; i < MAXOPEN; i++)
		if (opentab[i].o_file == f)
			opentab[i].o_file = NULL;
	return 0;
}

/* Serves one request; the reply may carry a page (*pg, *perm). */
static int
serve(envid_t whom, uint32_t req, int perm, void **pg, int *reply_perm)
{
	*pg = NULL;
	*reply_perm = 0;
	if ((perm & (PTE_P | PTE_W | PTE_U)) != (PTE_P | PTE_W | PTE_U)) {
		cprintf("fs: request %d from %08x without a writable page\n",
			req, whom);
		return -E_INVAL;
	}
	if (!fs_mounted())
		return -E_INVAL;
	switch (req) {
	case FSREQ_OPEN:
		return serve_open(whom, &fsreq->open, pg, reply_perm);
	case FSREQ_SET_SIZE:
		return serve_set_size(whom, &fsreq->set_size);
	case FSREQ_READ:
		return serve_read(whom, fsreq);
	case FSREQ_WRITE:
		return serve_write(whom, fsreq);
	case FSREQ_STAT:
		return serve_stat(whom, fsreq);
	case FSREQ_FLUSH:
		return serve_flush(whom, &fsreq->flush);
	case FSREQ_REMOVE:
		return serve_remove(whom, &fsreq->remove);
	case FSREQ_SYNC:
		fs_sync();
		return 0;
	default:
		cprintf("fs: invalid request %d from %08x\n", req, whom);
		return -E_INVAL;
	}
}

/* Replies to `whom` and waits for the next request.  A client that is
 * not waiting for its reply (it used plain ipc_send) is given a few
 * turns; after that the reply is dropped: nobody can stall the server. */
static uint32_t
reply_and_receive(envid_t whom, int result, void *pg, int perm)
{
	int r;

	for (int tries = 0; tries < 20; tries++) {
		r = sys_ipc_reply_recv(whom, result,
				       pg != NULL ? pg : (void *) UTOP, perm,
				       fsreq);
		if (r != -E_IPC_NOT_RECV)
			break;
		sys_yield();
	}
	if (r < 0)
		while ((r = sys_ipc_recv(fsreq)) < 0)
			panic("fs: ipc_recv: %e", r);
	return thisenv->env_ipc_value;
}

void
umain(int argc, char **argv)
{
	static_assert(sizeof(struct File) == 256);
	static_assert(sizeof(union Fsipc) == PGSIZE);
	binaryname = "fs";
	cprintf("FS is running\n");
	/* Our I/O privilege: the kernel gave it to this environment type. */
	if ((read_eflags() & FL_IOPL_MASK) != FL_IOPL_3)
		panic("fs: no I/O privilege (IOPL %d): env_create must give "
		      "the "
		      "file server (ENV_TYPE_FS) IOPL 3 (lab 5, exercise 1)",
		      (read_eflags() & FL_IOPL_MASK) >> 12);
	cprintf("FS can do I/O\n");
	serve_init();
	if (fs_init() == 0)
		fs_check();
	else
		cprintf("fs: refusing every request\n");

	/* The first request; then reply to each and wait for the next. */
	uint32_t req;
	while ((int) (req = sys_ipc_recv(fsreq)) < 0)
		continue;
	req = thisenv->env_ipc_value;
	for (;;) {
		envid_t whom = thisenv->env_ipc_from;
		int perm = thisenv->env_ipc_perm;
		void *pg;
		int reply_perm;
		int r = serve(whom, req, perm, &pg, &reply_perm);
		req = reply_and_receive(whom, r, pg, reply_perm);
	}
}
