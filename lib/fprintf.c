/*
 * printf and fprintf (lab 5): formatted output to a file descriptor,
 * so that a program's output follows its fd 1 into a file or a pipe.
 * (cprintf still goes straight to the console.)
 */
#include <inc/lib.h>

#define FPRINTBUF_SIZE 256

struct fprintbuf {
	int fd;
	int used;  /* characters in buf */
	int count; /* characters written so far */
	int error; /* the first write error, or 0 */
	char buf[FPRINTBUF_SIZE];
};

static void
flush(struct fprintbuf *b)
{
	if (b->used > 0 && b->error == 0) {
		ssize_t r = write(b->fd, b->buf, b->used);
		if (r < 0)
			b->error = r;
		else if (r > 0)
			b->count += r;
		if (r >= 0 && r < b->used)
			b->error = -E_EOF; /* the reader went away */
	}
	b->used = 0;
}

static void
putch(int ch, void *data)
{
	struct fprintbuf *b = data;

	b->buf[b->used++] = ch;
	if (b->used == FPRINTBUF_SIZE)
		flush(b);
}

/* vfprintf: prints to fd; returns the count written, or the first
 * write error if nothing was. */
int
vfprintf(int fd, const char *fmt, va_list ap)
{
	struct fprintbuf b;

	b.fd = fd;
	b.used = 0;
	b.count = 0;
	b.error = 0;
	vprintfmt(putch, &b, fmt, ap);
	flush(&b);
	return b.count > 0 || b.error == 0 ? b.count : b.error;
}

int
fprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(fd, fmt, ap);
	va_end(ap);
	return r;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(1, fmt, ap);
	va_end(ap);
	return r;
}
