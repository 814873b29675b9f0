/* num [files...]: copies each file (or standard input) to standard
 * output, numbering its lines: "%5d " before each. */
#include <inc/lib.h>

static int line;

static void
number(int fd, const char *name)
{
	bool line_start = true;
	char c;
	ssize_t n;

	while ((n = read(fd, &c, 1)) > 0) {
		if (line_start) {
			printf("%5d ", ++line);
			line_start = false;
		}
		if ((n = write(1, &c, 1)) != 1)
			panic("num: write error copying %s: %e", name,
			      n < 0 ? n : -E_EOF);
		if (c == '\n')
			line_start = true;
	}
	if (n < 0)
		panic("num: error reading %s: %e", name, n);
}

void
umain(int argc, char **argv)
{
	binaryname = "num";
	if (argc == 1) {
		number(0, "<stdin>");
		return;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			printf("num: can't open %s: %e\n", argv[i], fd);
			continue;
		}
		number(fd, argv[i]);
		close(fd);
	}
}
