/*
 * vcprintf for user programs (cprintf is in lib/printfmt.c).  The characters
 * are collected in a buffer and sent with one sys_cputs per call (or per full
 * buffer): a system call per character would be slow, and would let other
 * environments' output interleave with ours mid-line.
 */
#include <inc/lib.h>

#define PRINTBUF_SIZE 256

struct printbuf {
	int used;  /* characters in buf */
	int count; /* characters printed in all */
	char buf[PRINTBUF_SIZE];
};

static void
putch(int ch, void *data)
{
	struct printbuf *b = data;

	b->buf[b->used++] = ch;
	if (b->used == PRINTBUF_SIZE) {
		sys_cputs(b->buf, b->used);
		b->used = 0;
	}
	b->count++;
}

int
vcprintf(const char *fmt, va_list ap)
{
	struct printbuf b;

	b.used = 0;
	b.count = 0;
	vprintfmt(putch, &b, fmt, ap);
	if (b.used > 0)
		sys_cputs(b.buf, b.used);
	return b.count;
}
