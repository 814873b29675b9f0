/*
 * panic, warn, assert.
 *
 * In the kernel, panic prints the message and drops into the monitor
 * for good.  In a user program it prints the message (naming the
 * program) and breaks into the kernel monitor, then exits.
 */
#ifndef INC_ASSERT_H
#define INC_ASSERT_H

#include <inc/stdio.h>

void _warn(const char *file, int line, const char *fmt, ...);
void _panic(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn));

#define warn(...)  _warn(__FILE__, __LINE__, __VA_ARGS__)
#define panic(...) _panic(__FILE__, __LINE__, __VA_ARGS__)

#define assert(x)                                                              \
	do {                                                                   \
		if (!(x))                                                      \
			panic("assertion failed: %s", #x);                     \
	} while (0)

/* A compile-time check: static_assert(sizeof(struct X) == 68). */
#ifndef static_assert
#define static_assert(x) _Static_assert(x, #x)
#endif

#endif /* !INC_ASSERT_H */
