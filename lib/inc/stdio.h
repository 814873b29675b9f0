/*
 * Formatted output and console input, for the kernel and for user
 * programs.  Both sides share one formatting engine (lib/printfmt.c);
 * what differs is where the characters go: the kernel writes to the
 * console hardware, a user program makes a system call.
 */
#ifndef INC_STDIO_H
#define INC_STDIO_H

#include <inc/stdarg.h>

/*
 * No __attribute__((format(printf, ...))) here: our %e (an error code)
 * means something else to the compiler's checker.
 */

#ifndef NULL
#define NULL ((void *) 0)
#endif

/* lib/console.c (user) or kernel/console.c (kernel) */
void cputchar(int c);
int getchar(void);
int iscons(int fd);

/* lib/printfmt.c: the formatting engine. */
void printfmt(void (*putch)(int, void *), void *putdat, const char *fmt, ...);
void vprintfmt(void (*putch)(int, void *), void *putdat, const char *fmt,
	       va_list ap);
int snprintf(char *str, int size, const char *fmt, ...);
int vsnprintf(char *str, int size, const char *fmt, va_list ap);

/* lib/printf.c (user) or kernel/printf.c (kernel): to the console. */
int cprintf(const char *fmt, ...);
int vcprintf(const char *fmt, va_list ap);

/* lib/fprintf.c (lab 5): to a file descriptor. */
int printf(const char *fmt, ...);
int fprintf(int fd, const char *fmt, ...);
int vfprintf(int fd, const char *fmt, va_list ap);

/* lib/readline.c */
char *readline(const char *prompt);

#endif /* !INC_STDIO_H */
