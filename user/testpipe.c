/*
 * testpipe [word]: a child writes through a pipe to its parent, which
 * reads to the end; then a writer finds that nobody reads any more.
 */
#include <inc/lib.h>

static char buf[8192];

void
umain(int argc, char **argv)
{
	const char *word = argc > 1 ? argv[1] : "hello";
	int p[2], r, n, total = 0;
	envid_t id;

	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((id = fork()) < 0)
		panic("fork: %e", id);
	if (id == 0) {
		close(p[0]);
		/* More than the pipe holds, so that the writer waits. */
		for (int i = 0; i < 1000; i++) {
			snprintf(buf, sizeof(buf), "%d %s\n", i, word);
			if ((r = write(p[1], buf, strlen(buf))) !=
			    (int) strlen(buf))
				panic("child: write returned %d", r);
		}
		exit(); /* closes p[1]: the parent sees the end */
	}
	close(p[1]);
	int line = 0, last_line = -1;
	char *s = buf;
	while ((n = read(p[0], s, buf + sizeof(buf) - 1 - s)) > 0) {
		total += n;
		s[n] = '\0';
		/* Check whole lines as they come. */
		char *nl, *start = buf;
		s += n;
		while ((nl = strchr(start, '\n')) != NULL) {
			*nl = '\0';
			char expect[64];
			snprintf(expect, sizeof(expect), "%d %s", line, word);
			if (strcmp(start, expect) != 0)
				panic("line %d is '%s', expected '%s'", line,
				      start, expect);
			last_line = line++;
			start = nl + 1;
		}
		memmove(buf, start, s - start);
		s = buf + (s - start);
	}
	if (n < 0)
		panic("read: %e", n);
	cprintf("pipe read %d lines, %d bytes, the last '%d %s'\n", line, total,
		last_line, word);
	wait(id);

	/* A write end whose readers are gone. */
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	close(p[0]);
	if ((r = pipeisclosed(p[1])) != 1)
		panic("pipeisclosed says %d with the reader closed", r);
	r = write(p[1], buf, 8000);
	cprintf("write to a pipe nobody reads returned %d (of 8000)\n", r);
	close(p[1]);
	cprintf("pipe tests passed\n");
}
