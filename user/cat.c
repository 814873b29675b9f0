/* cat [files...]: copies each file (or standard input) to standard
 * output. */
#include <inc/lib.h>

static char buf[8192];

static void
copy(int fd, const char *name)
{
	ssize_t n, w;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if ((w = write(1, buf, n)) != n)
			panic("cat: write error copying %s: %e", name,
			      w < 0 ? w : -E_EOF);
	if (n < 0)
		panic("cat: error reading %s: %e", name, n);
}

void
umain(int argc, char **argv)
{
	binaryname = "cat";
	if (argc == 1) {
		copy(0, "<stdin>");
		return;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			printf("cat: can't open %s: %e\n", argv[i], fd);
			continue;
		}
		copy(fd, argv[i]);
		close(fd);
	}
}
