/*
 * fsrw: small file jobs for the lab 5 tests, chosen by the arguments.
 *   fsrw:write:PATH:TEXT   PATH gets TEXT, then sync
 *   fsrw:hold:PATH:TEXT    PATH gets TEXT, no sync, and stays open: the
 *                          program then waits forever (for gdb's exo fs
 *                          to find an open file and dirty blocks)
 *   fsrw:read:PATH         prints PATH's contents between << and >>
 *   fsrw:stress            writes and removes files without end (the
 *                          grader kills the machine in the middle)
 *   fsrw:big:MIB           writes a file of MIB MiB (at most 4), reads it
 *                          back and checks every word, removes it (run
 *                          with little memory: the block cache must
 *                          evict blocks to hold it)
 */
#include <inc/lib.h>

/* Opens PATH (mode as for open) and writes TEXT into it; returns the
 * fd, or -1 after saying what failed. */
static int
create_with(const char *path, const char *text, int mode)
{
	int fd, r;

	if ((fd = open(path, mode | O_CREAT | O_TRUNC)) < 0) {
		cprintf("fsrw: open %s: %e\n", path, fd);
		return -1;
	}
	if ((r = write(fd, text, strlen(text))) != (int) strlen(text))
		cprintf("fsrw: write %s: %e\n", path, r);
	return fd;
}

static void
write_file(const char *path, const char *text)
{
	int fd, r;

	if ((fd = create_with(path, text, O_WRONLY)) < 0)
		return;
	close(fd);
	if ((r = sync()) < 0)
		cprintf("fsrw: sync: %e\n", r);
	else
		cprintf("fsrw: wrote %s and synced\n", path);
}

static void
hold_file(const char *path, const char *text)
{
	if (create_with(path, text, O_RDWR) < 0)
		return;
	cprintf("fsrw: holding %s open, not synced\n", path);
	/* Nobody sends: this blocks for good, with the file open. */
	ipc_recv(NULL, NULL, NULL);
}

static void
read_file(const char *path)
{
	static char buf[8192], rest[PGSIZE];
	int fd, n, m, total;

	if ((fd = open(path, O_RDONLY)) < 0) {
		cprintf("fsrw: open %s: %e\n", path, fd);
		return;
	}
	/* The start is printed; the rest is read too (errors count). */
	if ((n = readn(fd, buf, sizeof(buf) - 1)) < 0) {
		cprintf("fsrw: read %s: %e\n", path, n);
		close(fd);
		return;
	}
	buf[n] = '\0';
	for (total = n; (m = read(fd, rest, sizeof(rest))) > 0; total += m)
		continue;
	close(fd);
	if (m < 0) {
		cprintf("fsrw: read %s: %e\n", path, m);
		return;
	}
	cprintf("fsrw: %s: <<%s>>\n", path, buf);
	cprintf("fsrw: %s has %d bytes\n", path, total);
}

static void
stress(void)
{
	static char block[3 * PGSIZE + 100];
	char path[32];
	int fd;

	for (int round = 0;; round++) {
		for (int i = 0; i < 8; i++) {
			snprintf(path, sizeof(path), "/stress-%d",
				 (round + i) % 11);
			if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC)) < 0)
				continue;
			memset(block, 'a' + (round + i) % 26,
			       (round * 977 + i * 131) % sizeof(block));
			write(fd, block,
			      (round * 977 + i * 131) % sizeof(block));
			close(fd);
		}
		snprintf(path, sizeof(path), "/stress-%d", round % 11);
		remove(path);
		if (round % 3 == 0)
			sync();
		cprintf("fsrw: stress round %d\n", round);
	}
}

static void
big_file(int mib)
{
	static uint32_t block[PGSIZE / 4];
	int nblocks = MIN(mib, 4) * 256, fd, r;

	if ((fd = open("/fsrw-big", O_RDWR | O_CREAT | O_TRUNC)) < 0)
		panic("open /fsrw-big: %e", fd);
	for (int b = 0; b < nblocks; b++) {
		for (int i = 0; i < PGSIZE / 4; i++)
			block[i] = b * 7919 + i;
		if ((r = write(fd, block, PGSIZE)) != PGSIZE)
			panic("write of block %d: %e", b, r);
	}
	seek(fd, 0);
	for (int b = 0; b < nblocks; b++) {
		if ((r = readn(fd, block, PGSIZE)) != PGSIZE)
			panic("read of block %d: %e", b, r);
		for (int i = 0; i < PGSIZE / 4; i++)
			if (block[i] != (uint32_t) (b * 7919 + i))
				panic("block %d word %d is %08x", b, i,
				      block[i]);
	}
	close(fd);
	if ((r = remove("/fsrw-big")) < 0)
		panic("remove /fsrw-big: %e", r);
	cprintf("fsrw: wrote and read back %d MiB\n", nblocks / 256);
}

void
umain(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		write_file(argv[2], argv[3]);
	else if (argc == 4 && strcmp(argv[1], "hold") == 0)
		hold_file(argv[2], argv[3]);
	else if (argc == 3 && strcmp(argv[1], "read") == 0)
		read_file(argv[2]);
	else if (argc == 2 && strcmp(argv[1], "stress") == 0)
		stress();
	else if (argc == 3 && strcmp(argv[1], "big") == 0)
		big_file(strtol(argv[2], NULL, 0));
	else
		cprintf("usage: fsrw:write:PATH:TEXT | fsrw:hold:PATH:TEXT | "
			"fsrw:read:PATH | "
			"fsrw:stress "
			"| fsrw:big:MIB\n");
}
