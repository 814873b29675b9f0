/* vcprintf for the kernel: the shared formatting engine, to the console
 * (cprintf itself is in lib/printfmt.c). */
#include <inc/stdio.h>
#include <inc/stdarg.h>

static void
console_putch(int ch, void *count)
{
	cputchar(ch);
	(*(int *) count)++;
}

int
vcprintf(const char *fmt, va_list ap)
{
	int count = 0;

	vprintfmt(console_putch, &count, fmt, ap);
	return count;
}
