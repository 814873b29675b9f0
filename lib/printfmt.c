/*
 * The formatting engine behind every printf in ExoLab: the kernel's
 * cprintf, the library's cprintf, printf and snprintf all call
 * vprintfmt with their own `putch` function, which receives the output
 * one character at a time.
 *
 * Supported conversions:
 *   %d %i   signed decimal          %u      unsigned decimal
 *   %x %X   hexadecimal             %o      octal
 *   %c      character               %s      string
 *   %p      pointer (0x + hex)      %e      error code (see inc/error.h)
 *   %%      a literal percent sign
 * with the flags `-` (left-justify) and `0` (pad with zeros), a field
 * width and a precision (digits for numbers, characters for strings),
 * either of which may be `*`, and the length modifiers `l` and `ll`.
 */
#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/stdarg.h>
#include <inc/error.h>

/* The text %e prints for each error code. */
static const char *const error_string[MAXERROR] = {
	[E_UNSPECIFIED] = "unspecified error",
	[E_BAD_ENV] = "bad environment",
	[E_INVAL] = "invalid parameter",
	[E_NO_MEM] = "out of memory",
	[E_NO_FREE_ENV] = "out of environments",
	[E_FAULT] = "segmentation fault",
	[E_IPC_NOT_RECV] = "env is not recving",
	[E_EOF] = "unexpected end of file",
	[E_NO_DISK] = "no free space on disk",
	[E_MAX_OPEN] = "too many files are open",
	[E_NOT_FOUND] = "file or block not found",
	[E_BAD_PATH] = "invalid path",
	[E_FILE_EXISTS] = "file already exists",
	[E_NOT_EXEC] = "file is not a valid executable",
	[E_NOT_SUPP] = "operation not supported",
};

/* One conversion's flags, width and precision, as parsed. */
struct conversion {
	bool left_justify; /* '-' flag */
	char pad;	   /* ' ' or '0' */
	int width;	   /* minimum field width; -1 if none */
	int precision;	   /* -1 if none */
	int length;	   /* 0, 1 for 'l', 2 for 'll' */
};

typedef void (*putch_fn)(int, void *);

static void
pad(putch_fn putch, void *putdat, int c, int count)
{
	while (count-- > 0)
		putch(c, putdat);
}

/*
 * Divides *num by base (2..16) in place and returns the remainder.
 *
 * A 32-bit CPU has no instruction that divides a 64-bit number, and
 * the compiler's helper for it lives in libgcc, which we do not link.
 * So: 32-bit division when the number fits, otherwise schoolbook long
 * division one bit at a time (only %llx and friends ever need it).
 */
static unsigned
divide(unsigned long long *num, unsigned base)
{
	if (*num <= 0xFFFFFFFFU) {
		uint32_t n = *num;
		*num = n / base;
		return n % base;
	}
	unsigned long long quotient = 0;
	unsigned remainder = 0;
	for (int bit = 63; bit >= 0; bit--) {
		remainder = (remainder << 1) | ((*num >> bit) & 1);
		quotient <<= 1;
		if (remainder >= base) {
			remainder -= base;
			quotient |= 1;
		}
	}
	*num = quotient;
	return remainder;
}

/*
 * Prints an unsigned number in `base`, with an optional minus sign,
 * honouring width, precision and the flags.
 */
static void
print_number(putch_fn putch, void *putdat, unsigned long long num,
	     unsigned base, bool uppercase, bool negative,
	     const struct conversion *conv)
{
	const char *digits =
		uppercase ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[sizeof(num) * 8]; /* enough for base 2 */
	int ndigits = 0;

	/* Digits come out least significant first. */
	do {
		buf[ndigits++] = digits[divide(&num, base)];
	} while (num != 0);

	/* The precision is the minimum number of digits. */
	int nzeros = conv->precision > ndigits ? conv->precision - ndigits : 0;
	int total = ndigits + nzeros + (negative ? 1 : 0);
	int padding = conv->width > total ? conv->width - total : 0;

	/* With the 0 flag (and no precision), padding becomes leading
	 * zeros placed after the sign: "-0042", not "00-42". */
	if (conv->pad == '0' && !conv->left_justify && conv->precision < 0) {
		nzeros += padding;
		padding = 0;
	}

	if (!conv->left_justify)
		pad(putch, putdat, ' ', padding);
	if (negative)
		putch('-', putdat);
	pad(putch, putdat, '0', nzeros);
	while (ndigits > 0)
		putch(buf[--ndigits], putdat);
	if (conv->left_justify)
		pad(putch, putdat, ' ', padding);
}

static void
print_string(putch_fn putch, void *putdat, const char *s,
	     const struct conversion *conv)
{
	if (s == NULL)
		s = "(null)";
	int len =
		conv->precision >= 0 ? strnlen(s, conv->precision) : strlen(s);
	int padding = conv->width > len ? conv->width - len : 0;

	if (!conv->left_justify)
		pad(putch, putdat, ' ', padding);
	for (int i = 0; i < len; i++)
		putch(s[i], putdat);
	if (conv->left_justify)
		pad(putch, putdat, ' ', padding);
}

/* Fetches an unsigned argument of the size the length modifier says. */
static unsigned long long
get_unsigned(va_list *ap, int length)
{
	if (length >= 2)
		return va_arg(*ap, unsigned long long);
	else if (length)
		return va_arg(*ap, unsigned long);
	else
		return va_arg(*ap, unsigned int);
}

/* The same for signed arguments: sign extension depends on the size. */
static long long
get_signed(va_list *ap, int length)
{
	if (length >= 2)
		return va_arg(*ap, long long);
	else if (length)
		return va_arg(*ap, long);
	else
		return va_arg(*ap, int);
}

/*
 * Parses a width or precision: digits, or `*` to take it from the
 * argument list.  Returns -1 when there is none.
 */
static int
parse_count(const char **fmt, va_list *ap)
{
	int n;

	if (**fmt == '*') {
		(*fmt)++;
		return va_arg(*ap, int);
	}
	if (**fmt < '0' || **fmt > '9')
		return -1;
	for (n = 0; **fmt >= '0' && **fmt <= '9'; (*fmt)++)
		n = n * 10 + (**fmt - '0');
	return n;
}

void
vprintfmt(putch_fn putch, void *putdat, const char *fmt, va_list ap)
{
	va_list args;

	/* Work on a copy so helpers can take a pointer to it. */
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			putch(*fmt++, putdat);
			continue;
		}
		const char *start = fmt++; /* the '%' */
		struct conversion conv = {
			.left_justify = false,
			.pad = ' ',
			.width = -1,
			.precision = -1,
			.length = 0,
		};

		/* Flags. */
		for (;; fmt++) {
			if (*fmt == '-')
				conv.left_justify = true;
			else if (*fmt == '0')
				conv.pad = '0';
			else
				break;
		}
		conv.width = parse_count(&fmt, &args);
		if (conv.width < -1) { /* a negative `*` width */
			conv.left_justify = true;
			conv.width = -conv.width;
		}
		if (*fmt == '.') {
			fmt++;
			conv.precision = parse_count(&fmt, &args);
			if (conv.precision < 0)
				conv.precision = 0;
		}
		while (*fmt == 'l') {
			conv.length++;
			fmt++;
		}

		switch (*fmt++) {
		case 'c':
			putch(va_arg(args, int), putdat);
			break;

		case 's':
			print_string(putch, putdat, va_arg(args, const char *),
				     &conv);
			break;

		case 'e': {
			int err = va_arg(args, int);
			if (err < 0)
				err = -err;
			if (err < MAXERROR && error_string[err] != NULL) {
				print_string(putch, putdat, error_string[err],
					     &conv);
			} else {
				print_string(putch, putdat, "error ", &conv);
				conv.width = -1;
				print_number(putch, putdat, err, 10, false,
					     false, &conv);
			}
			break;
		}

		case 'd':
		case 'i': {
			long long num = get_signed(&args, conv.length);
			bool negative = num < 0;
			/* Negate as unsigned: -LLONG_MIN overflows. */
			unsigned long long magnitude =
				negative ? -(unsigned long long) num : num;
			print_number(putch, putdat, magnitude, 10, false,
				     negative, &conv);
			break;
		}

		case 'u':
			print_number(putch, putdat,
				     get_unsigned(&args, conv.length), 10,
				     false, false, &conv);
			break;

		case 'x':
		case 'X':
			print_number(putch, putdat,
				     get_unsigned(&args, conv.length), 16,
				     fmt[-1] == 'X', false, &conv);
			break;

		case 'o':
#if SOL >= 1
			print_number(putch, putdat,
				     get_unsigned(&args, conv.length), 8, false,
				     false, &conv);
#else
			/*
			 * LAB 1: Your code here (exercise 8).
			 * Print the argument as an unsigned number in base 8,
			 * with the same width, precision and flags as %u.
			 * Look at how %u and %x are done.
			 */
			(void) get_unsigned(&args, conv.length);
			print_string(putch, putdat,
				     "(%o not implemented: lab 1, exercise 8)",
				     &conv);
#endif
			break;

		case 'p':
			/* A pointer: 0x and every hex digit of the address. */
			putch('0', putdat);
			putch('x', putdat);
			conv.pad = '0';
			conv.width = sizeof(void *) * 2;
			print_number(putch, putdat,
				     (uintptr_t) va_arg(args, void *), 16,
				     false, false, &conv);
			break;

		case '%':
			putch('%', putdat);
			break;

		default:
			/* Not a conversion we know: print it unchanged. */
			for (fmt--; start < fmt; start++)
				putch(*start, putdat);
			if (*fmt)
				putch(*fmt++, putdat);
			break;
		}
	}
	va_end(args);
}

void
printfmt(putch_fn putch, void *putdat, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintfmt(putch, putdat, fmt, ap);
	va_end(ap);
}

/* snprintf's output state: where the next character goes. */
struct sprint_buffer {
	char *next;
	char *last; /* the last byte, kept for the terminating NUL */
	int count;  /* characters the full output would have */
};

static void
sprint_putch(int ch, void *data)
{
	struct sprint_buffer *b = data;

	b->count++;
	if (b->next < b->last)
		*b->next++ = ch;
}

/*
 * Formats into str, writing at most size bytes including the NUL.
 * Returns the length of the whole output (which may be more than was
 * written), or -E_INVAL if there is no room even for the NUL.
 */
int
vsnprintf(char *str, int size, const char *fmt, va_list ap)
{
	struct sprint_buffer b = { str, str + size - 1, 0 };

	if (str == NULL || size < 1)
		return -E_INVAL;
	vprintfmt(sprint_putch, &b, fmt, ap);
	*b.next = '\0';
	return b.count;
}

int
snprintf(char *str, int size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(str, size, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * cprintf: formatted output to the console.  The kernel and the
 * library each provide their own vcprintf (kernel/printf.c,
 * lib/printf.c); this front end is the same for both.
 */
int
cprintf(const char *fmt, ...)
{
	va_list ap;
	int count;

	va_start(ap, fmt);
	count = vcprintf(fmt, ap);
	va_end(ap);
	return count;
}
