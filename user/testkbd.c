/*
 * testkbd: reads lines from the console, typed on the keyboard or the
 * serial port, and says what it got, until it reads "quit".
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	char *line;
	int r;

	(void) argc;
	(void) argv;
	/* Started by the kernel: no descriptors yet. */
	close(0);
	if ((r = opencons()) != 0)
		panic("opencons: %e", r);
	if ((r = dup(0, 1)) < 0)
		panic("dup: %e", r);
	for (;;) {
		line = readline("Type a line: ");
		if (line == NULL)
			break;
		printf("typed: %s\n", line);
		if (strcmp(line, "quit") == 0)
			break;
	}
	printf("testkbd done\n");
}
