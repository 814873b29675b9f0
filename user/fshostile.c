/*
 * fshostile: a client that attacks the file server with random requests
 * (arguments: the seed, and how many; 1500 by default): bad and stale file ids,
 * huge sizes and offsets (also through its own writable Fd pages), paths
 * without a NUL, pages that are missing or read-only, unknown request numbers,
 * a request it never waits to hear the answer of.  Then it checks that the
 * server still serves, and last tries to reach the disk itself with `inb`,
 * which must fault: only the file server has I/O privilege.
 */
#include <inc/lib.h>
#include <inc/x86.h>

static union Fsipc *req = (union Fsipc *) 0x0FFFF000;
static struct Fd *replyfd = (struct Fd *) 0x0FFF0000;
static uint32_t seed;

static uint32_t
rnd(void)
{
	seed = seed * 1103515245 + 12345;
	return seed >> 8;
}

/* A value a careless or malicious client might send. */
static int32_t
nasty(void)
{
	static const int32_t values[] = {
		0,
		1,
		-1,
		4095,
		4096,
		4097,
		0x7FFFFFFF,
		(int32_t) 0x80000000,
		MAXFILESIZE,
		MAXFILESIZE - 1,
		MAXFILESIZE + 1,
		1024,
		1023,
		1 << 20,
		-4096,
	};
	return rnd() % 3 ? values[rnd() % (sizeof(values) / sizeof(values[0]))]
			 : (int32_t) rnd() * 31;
}

static int fileids[8];
static int nfileids;

static void
random_path(char *path)
{
	int len = rnd() % 4 == 0 ? MAXPATHLEN : (int) (rnd() % 200);
	for (int i = 0; i < len; i++)
		path[i] = rnd() % 3 ? 'a' + rnd() % 3 : "/\1\377."[rnd() % 4];
	if (len < MAXPATHLEN)
		path[len] = '\0';
	if (rnd() % 3 == 0)
		memcpy(path, "/hostile-", 9);
}

static void
fuzz_one(envid_t fsenv)
{
	int type = rnd() % 12; /* 0, 9, 10, 11 are not requests */
	int perm = PTE_P | PTE_W | PTE_U;
	void *pg = req;

	for (int i = 0; i < PGSIZE / 4; i++)
		((uint32_t *) req)[i] = rnd() % 8 ? rnd() : 0;
	int fileid = rnd() % 4 == 0 ? nasty()
		     : nfileids > 0 ? fileids[rnd() % nfileids]
				    : 0;
	switch (type) {
	case FSREQ_OPEN:
		random_path(req->open.req_path);
		req->open.req_omode =
			rnd() % 2 ? nasty()
				  : (int) (rnd() % 3) |
					    (rnd() % 2 ? O_CREAT : 0) |
					    (rnd() % 8 == 0 ? O_MKDIR : 0) |
					    (rnd() % 4 == 0 ? O_TRUNC : 0);
		break;
	case FSREQ_REMOVE:
		random_path(req->remove.req_path);
		break;
	case FSREQ_SET_SIZE:
		req->set_size.req_fileid = fileid;
		req->set_size.req_size =
			rnd() % 2 ? nasty() : (off_t) (rnd() % 70000);
		break;
	case FSREQ_READ:
	case FSREQ_WRITE:
		req->read.req_fileid = fileid;
		req->read.req_n = rnd() % 2 ? (size_t) nasty() : rnd() % 5000;
		break;
	default:
		req->stat.req_fileid = fileid;
	}
	/* Some requests come without a page, or with a read-only one. */
	if (rnd() % 16 == 0)
		pg = NULL, perm = 0;
	else if (rnd() % 16 == 0)
		perm = PTE_P | PTE_U;
	/* And our own descriptors' offsets get wild values. */
	if (rnd() % 8 == 0) {
		for (int fd = 0; fd < MAXFD; fd++) {
			struct Fd *f;
			if (fd_lookup(fd, &f) == 0)
				f->fd_offset = nasty();
		}
	}
	int r = ipc_call(fsenv, type, pg, perm, replyfd, NULL);
	if (type == FSREQ_OPEN && r == 0 && (uvpt[PGNUM(replyfd)] & PTE_P)) {
		if (nfileids < 8)
			fileids[nfileids++] = replyfd->fd_file.id;
		else
			fileids[rnd() % 8] = replyfd->fd_file.id;
		/* Keep some open, close others (stale ids from then on). */
		if (rnd() % 2)
			sys_page_unmap(0, replyfd);
		else
			sys_page_map(
				0, replyfd, 0,
				(void *) (0x0FF00000 + (rnd() % 64) * PGSIZE),
				PTE_P | PTE_U | PTE_W | PTE_SHARE);
	}
}

static void
still_serves(const char *when)
{
	char buf[64];
	int fd, n;

	if ((fd = open("/motd", O_RDONLY)) < 0)
		panic("%s: open /motd: %e", when, fd);
	seek(fd, 0);
	n = readn(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 10 || memcmp(buf, "This is /motd", 13) != 0)
		panic("%s: reading /motd: %e", when, n);
	cprintf("hostile: the server still serves (%s)\n", when);
}

void
umain(int argc, char **argv)
{
	envid_t fsenv = ipc_find_env(ENV_TYPE_FS);
	int n = 1500, fd;

	seed = argc > 1 ? strtol(argv[1], NULL, 0) : 1;
	if (argc > 2)
		n = strtol(argv[2], NULL, 0);
	if (fsenv == 0)
		panic("no file server");
	if (sys_page_alloc(0, req, PTE_P | PTE_W | PTE_U) < 0)
		panic("no page");
	/* Some files of our own, so that some ids are real. */
	for (int i = 0; i < 3; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/hostile-own-%d", i);
		if ((fd = open(path, O_RDWR | O_CREAT)) >= 0) {
			struct Fd *f;
			fd_lookup(fd, &f);
			fileids[nfileids++] = f->fd_file.id;
		}
	}
	for (int i = 0; i < n; i++)
		fuzz_one(fsenv);
	cprintf("hostile: sent %d random requests\n", n);
	still_serves("after the random requests");

	/* A request whose sender never waits for the answer. */
	memset(req, 0, PGSIZE);
	req->stat.req_fileid = fileids[0];
	int r = sys_ipc_try_send(fsenv, FSREQ_STAT, req, PTE_P | PTE_W | PTE_U);
	cprintf("hostile: sent a request without waiting (%d)\n", r);
	sync();
	for (int i = 0; i < 30; i++)
		sys_yield();
	still_serves("after a reply nobody took");
	close_all();

	cprintf("hostile: now inb from the disk's status port\n");
	uint8_t status = inb(0x1F7);
	cprintf("hostile: inb worked (status %02x): a client has I/O "
		"privilege!\n",
		status);
}
