/*
 * fsrw: small file jobs for the lab 5 tests, chosen by the arguments.
 *   fsrw:write:PATH:TEXT   PATH gets TEXT, then sync
 *   fsrw:read:PATH         prints PATH's contents between << and >>
 *   fsrw:stress            writes and removes files without end (the
 *                          grader kills the machine in the middle)
 */
#include <inc/lib.h>

static void
write_file(const char *path, const char *text)
{
	int fd, r;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC)) < 0) {
		cprintf("fsrw: open %s: %e\n", path, fd);
		return;
	}
	if ((r = write(fd, text, strlen(text))) != (int) strlen(text))
		cprintf("fsrw: write %s: %e\n", path, r);
	close(fd);
	if ((r = sync()) < 0)
		cprintf("fsrw: sync: %e\n", r);
	else
		cprintf("fsrw: wrote %s and synced\n", path);
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
			snprintf(path, sizeof(path), "/stress-%d", (round + i) % 11);
			if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC)) < 0)
				continue;
			memset(block, 'a' + (round + i) % 26,
			       (round * 977 + i * 131) % sizeof(block));
			write(fd, block, (round * 977 + i * 131) % sizeof(block));
			close(fd);
		}
		snprintf(path, sizeof(path), "/stress-%d", round % 11);
		remove(path);
		if (round % 3 == 0)
			sync();
		cprintf("fsrw: stress round %d\n", round);
	}
}

void
umain(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		write_file(argv[2], argv[3]);
	else if (argc == 3 && strcmp(argv[1], "read") == 0)
		read_file(argv[2]);
	else if (argc == 2 && strcmp(argv[1], "stress") == 0)
		stress();
	else
		cprintf("usage: fsrw:write:PATH:TEXT | fsrw:read:PATH | fsrw:stress\n");
}
