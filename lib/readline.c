/*
 * readline: read one line from the console, with echo and backspace.
 *
 * The buffer is static and bounded: characters past READLINE_MAX - 1
 * are dropped (with a bell), never written past the end.  Returns the
 * line without its newline, or NULL on a read error.
 */
#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/error.h>

#define READLINE_MAX 1024

static char line_buffer[READLINE_MAX];

char *
readline(const char *prompt)
{
	int len = 0;
	bool echoing = iscons(0);

	if (prompt != NULL) {
		/* The prompt is only printed, not part of the line. */
		cprintf("%s", prompt);
	}

	for (;;) {
		int c = getchar();

		if (c < 0) {
			if (c != -E_EOF)
				cprintf("read error: %e\n", c);
			return NULL;
		} else if ((c == '\b' || c == '\x7f') && len > 0) {
			/* Backspace or DEL: forget the last character and
			 * erase it on screen. */
			if (echoing)
				cputchar('\b');
			len--;
		} else if (c >= ' ' && c != '\x7f') {
			if (len == READLINE_MAX - 1) {
				if (echoing)
					cputchar('\a');
				continue;
			}
			if (echoing)
				cputchar(c);
			line_buffer[len++] = c;
		} else if (c == '\n' || c == '\r') {
			if (echoing)
				cputchar('\n');
			line_buffer[len] = '\0';
			return line_buffer;
		}
	}
}
