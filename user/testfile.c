/*
 * testfile: the file server, first through its raw IPC protocol (the
 * FSREQ_* requests of inc/fs.h, by hand), then through the file
 * descriptor layer, then a file large enough to need the indirect
 * block.  Argument: a word to write to /testfile-token, which the
 * grader then looks for on the disk image itself.
 */
#include <inc/lib.h>

/* The request page of the raw requests. */
static union Fsipc *req = (union Fsipc *) 0x0FFFF000;
/* Where the raw OPEN's reply (the struct Fd page) is mapped. */
static struct Fd *rawfd = (struct Fd *) 0x0FFFE000;

static const char newmotd_start[] =
	"This is /newmotd, the NEW message of the day.";

static envid_t fsenv;

/* One raw request: type, with the request in *req; the reply page, if
 * any, at dstva. */
static int
raw(unsigned type, void *dstva)
{
	return ipc_call(fsenv, type, req, PTE_P | PTE_W | PTE_U, dstva, NULL);
}

static void
check(bool ok, const char *what)
{
	if (!ok)
		panic("%s failed", what);
}

static void
raw_protocol(void)
{
	int r, fileid;

	fsenv = ipc_find_env(ENV_TYPE_FS);
	check(fsenv != 0, "finding the file server");
	if ((r = sys_page_alloc(0, req, PTE_P | PTE_W | PTE_U)) < 0)
		panic("sys_page_alloc: %e", r);

	strcpy(req->open.req_path, "/not-found");
	req->open.req_omode = O_RDONLY;
	if ((r = raw(FSREQ_OPEN, rawfd)) != -E_NOT_FOUND)
		panic("serve_open /not-found: %e", r);

	strcpy(req->open.req_path, "/newmotd");
	req->open.req_omode = O_RDONLY;
	if ((r = raw(FSREQ_OPEN, rawfd)) < 0)
		panic("serve_open /newmotd: %e", r);
	check((uvpt[PGNUM(rawfd)] & (PTE_P | PTE_SHARE)) == (PTE_P | PTE_SHARE),
	      "the Fd page of serve_open");
	check(rawfd->fd_dev_id == 'f' && rawfd->fd_offset == 0 &&
		      rawfd->fd_omode == O_RDONLY,
	      "serve_open's Fd");
	fileid = rawfd->fd_file.id;
	cprintf("serve_open is good\n");

	req->stat.req_fileid = fileid;
	if ((r = raw(FSREQ_STAT, NULL)) < 0)
		panic("serve_stat: %e", r);
	check(strcmp(req->statRet.ret_name, "newmotd") == 0 &&
		      req->statRet.ret_size > (off_t) strlen(newmotd_start) &&
		      !req->statRet.ret_isdir,
	      "serve_stat's answer");
	cprintf("file_stat is good\n");

	req->read.req_fileid = fileid;
	req->read.req_n = PGSIZE;
	if ((r = raw(FSREQ_READ, NULL)) < 0)
		panic("serve_read: %e", r);
	check(r > (int) strlen(newmotd_start) &&
		      memcmp(req->readRet.ret_buf, newmotd_start,
			     strlen(newmotd_start)) == 0,
	      "serve_read's data");
	check(rawfd->fd_offset == r, "serve_read's new offset");
	cprintf("file_read is good\n");

	/* Writing to a read-only open fails. */
	req->write.req_fileid = fileid;
	req->write.req_n = 1;
	check(raw(FSREQ_WRITE, NULL) == -E_INVAL,
	      "a write to a read-only file");

	req->flush.req_fileid = fileid;
	if ((r = raw(FSREQ_FLUSH, NULL)) < 0)
		panic("serve_flush: %e", r);
	sys_page_unmap(0, rawfd);
	cprintf("file_close is good\n");

	/* The id of a closed file is stale: refused. */
	req->read.req_fileid = fileid;
	req->read.req_n = PGSIZE;
	if ((r = raw(FSREQ_READ, NULL)) != -E_INVAL)
		panic("serve_read of a closed file: %d, not -E_INVAL", r);
	cprintf("stale fileid is good\n");
}

static void
fd_layer(const char *token)
{
	char buf[512];
	struct Stat st;
	int fd, r, n;

	if ((fd = open("/newmotd", O_RDONLY)) < 0)
		panic("open /newmotd: %e", fd);
	if ((n = readn(fd, buf, sizeof(buf) - 1)) < 0)
		panic("read /newmotd: %e", n);
	buf[n] = '\0';
	check(strncmp(buf, newmotd_start, strlen(newmotd_start)) == 0,
	      "read of /newmotd");
	check(fstat(fd, &st) == 0 && st.st_size == n && !st.st_isdir &&
		      st.st_dev == &devfile,
	      "fstat of /newmotd");
	close(fd);
	cprintf("open and read are good\n");

	/* Create, write, read back at other offsets. */
	if ((fd = open("/testfile-new", O_RDWR | O_CREAT | O_EXCL)) < 0)
		panic("open /testfile-new: %e", fd);
	check(open("/testfile-new", O_RDWR | O_CREAT | O_EXCL) ==
		      -E_FILE_EXISTS,
	      "O_EXCL on an existing file");
	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "line %d of a new file\n", i);
		if ((r = write(fd, buf, strlen(buf))) != (int) strlen(buf))
			panic("write: %e", r);
	}
	seek(fd, 0);
	n = readn(fd, buf, 20);
	check(n == 20 && memcmp(buf, "line 0 of a new file", 20) == 0,
	      "reading back what was written");
	check(ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5,
	      "ftruncate");
	close(fd);
	check(stat("/testfile-new", &st) == 0 && st.st_size == 5, "stat");
	cprintf("file_write is good\n");

	check(remove("/testfile-new") == 0, "remove");
	check(open("/testfile-new", O_RDONLY) == -E_NOT_FOUND,
	      "open of a removed file");
	cprintf("remove is good\n");

	/* The grader's word, for it to find on the disk. */
	if ((fd = open("/testfile-token", O_WRONLY | O_CREAT | O_TRUNC)) < 0)
		panic("open /testfile-token: %e", fd);
	check(write(fd, token, strlen(token)) == (int) strlen(token), "token");
	close(fd);
}

/* A file past the direct blocks: every block has its own pattern. */
static void
large_file(void)
{
	static uint32_t block[PGSIZE / 4];
	const int nblocks = NDIRECT + 40;
	int fd, r;

	if ((fd = open("/testfile-big", O_RDWR | O_CREAT | O_TRUNC)) < 0)
		panic("open /testfile-big: %e", fd);
	for (int b = 0; b < nblocks; b++) {
		for (int i = 0; i < PGSIZE / 4; i++)
			block[i] = b * 0x10000 + i;
		if ((r = write(fd, block, PGSIZE)) != PGSIZE)
			panic("write of block %d: %e", b, r);
	}
	close(fd);
	if ((fd = open("/testfile-big", O_RDONLY)) < 0)
		panic("open /testfile-big: %e", fd);
	for (int b = 0; b < nblocks; b++) {
		if ((r = readn(fd, block, PGSIZE)) != PGSIZE)
			panic("read of block %d: %e", b, r);
		for (int i = 0; i < PGSIZE / 4; i++)
			if (block[i] != (uint32_t) (b * 0x10000 + i))
				panic("block %d word %d is %08x", b, i,
				      block[i]);
	}
	check(read(fd, block, 1) == 0, "the end of the large file");
	close(fd);
	cprintf("large file is good\n");
}

void
umain(int argc, char **argv)
{
	raw_protocol();
	fd_layer(argc > 1 ? argv[1] : "no-token");
	large_file();
	if (sync() < 0)
		panic("sync failed");
	cprintf("testfile: all done\n");
}
