/*
 * What every boot runs so that the grader can check lab 1's exercises:
 * a sample of printf conversions (exercise 8) and a recursive function
 * whose frames the stack backtrace must show (exercises 10-12).  This
 * is test code, not the kernel: i386_init (kernel/init.c) calls it, and
 * the build links it into the kernel (kernel/Makefrag).
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/error.h>
#include <kernel/monitor.h>
#include <kernel/bootinfo.h>

/* gcc may clone or inline a function whose argument is a constant; the
 * backtrace exercise needs real, distinct frames. */
#ifdef __clang__
#define KEEP_FRAMES __attribute__((noinline))
#else
#define KEEP_FRAMES __attribute__((noinline, noclone))
#endif

/*
 * A recursive function whose frames the stack backtrace must show
 * (lab 1).  The grader checks six test_backtrace frames with the
 * arguments 0..5, in order.
 */
KEEP_FRAMES void
test_backtrace(int depth)
{
	cprintf("entering test_backtrace %d\n", depth);
	if (depth > 0)
		test_backtrace(depth - 1);
	else
		mon_backtrace(0, NULL, NULL);
	cprintf("leaving test_backtrace %d\n", depth);
}

/*
 * A sample of printf conversions, printed at every boot; the grader
 * compares them with what they must say (lab 1, exercise 8).  Returns
 * the grader's number (printf=N on the command line), or 0.
 */
unsigned long
printf_sample(void)
{
	cprintf("6828 decimal is %o octal!\n", 6828);
	cprintf("printf: width [%5d] left [%-5d] zeros [%05d] negative "
		"[%05d]\n",
		42, 42, 42, -42);
	cprintf("printf: hex [%x] HEX [%X] unsigned [%u] long long [%lld]\n",
		0xbeef, 0xbeef, 4294967295U, -12345678901234LL);
	cprintf("printf: string [%6s] precision [%.3s] char [%c] percent "
		"[%%]\n",
		"exo", "kernel", 'K');
	cprintf("printf: octal [%o] width [%6o] zeros [%06o] long [%lo]\n", 8,
		0755, 0755, 0x80000000UL);
	cprintf("printf: int [%i] pointer [%p] error [%e] unknown error [%e]\n",
		-7, (void *) 0xf0100000, -E_NO_MEM, 99);

	/* The grader passes printf=N, a number it picks at random, so
	 * that only a working engine prints the right line for it. */
	char arg[16];
	if (!boot_option("printf", arg, sizeof(arg)))
		return 0;
	unsigned long n = strtol(arg, NULL, 10);
	cprintf("printf: %lu is octal [%lo] width [%14lo] zeros [%014lo]\n", n,
		n, n, n);
	return n;
}
