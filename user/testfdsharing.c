/*
 * testfdsharing [file]: a forked child shares its parent's file
 * descriptors, offset included.  Reads the file (motd by default),
 * rewinds, forks; the child seeks and reads too.  The parent then finds
 * the offset where the child left it.
 */
#include <inc/lib.h>

static char whole[512], again[512];

void
umain(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "motd";
	int fd, n, r;
	envid_t id;

	if ((fd = open(path, O_RDONLY)) < 0)
		panic("open %s: %e", path, fd);
	if ((n = readn(fd, whole, sizeof(whole))) < 0)
		panic("readn: %e", n);
	if (n < 2)
		panic("%s is too short for this test", path);
	if ((r = seek(fd, 0)) < 0)
		panic("seek: %e", r);
	cprintf("going to fork; %s has %d bytes\n", path, n);

	if ((id = fork()) < 0)
		panic("fork: %e", id);
	if (id == 0) {
		/* Reads half, then leaves the offset there for the parent. */
		if ((r = readn(fd, again, n / 2)) != n / 2)
			panic("child: readn returned %d, expected %d", r,
			      n / 2);
		if (memcmp(whole, again, n / 2) != 0)
			panic("child: read data differs from the parent's");
		cprintf("child read %d bytes, same as the parent\n", n / 2);
		exit();
	}
	wait(id);
	/* Our offset moved with the child's reads: the rest is next. */
	if ((r = readn(fd, again, n - n / 2)) != n - n / 2)
		panic("parent: readn returned %d, expected %d", r, n - n / 2);
	if (memcmp(whole + n / 2, again, n - n / 2) != 0)
		panic("parent: read data differs: the offset is not shared");
	cprintf("parent read the rest from the shared offset: "
		"fd sharing works\n");
	close(fd);
}
