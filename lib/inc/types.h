/*
 * Fixed-width types for the kernel and user programs.
 *
 * We build freestanding (no host libc headers), so we define the C99
 * integer types ourselves.  Everything that holds an address is
 * uintptr_t (virtual) or physaddr_t (physical) so that the same code
 * compiles for i386 and, later, x86-64.
 */
#ifndef INC_TYPES_H
#define INC_TYPES_H

#ifndef NULL
#define NULL ((void *) 0)
#endif

typedef _Bool bool;
enum { false, true };

typedef __INT8_TYPE__ int8_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __INT16_TYPE__ int16_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __INT32_TYPE__ int32_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT64_TYPE__ uint64_t;

/* Pointer-sized integers: 32 bits on i386, 64 on x86-64. */
typedef __INTPTR_TYPE__ intptr_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef uintptr_t physaddr_t;

/* Page numbers: a physical address shifted right by PGSHIFT. */
typedef uint32_t ppn_t;

typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ssize_t;

/* File offsets (lab 5). */
typedef int32_t off_t;

/* Rounding helpers.  `n` must be a power of two for ROUNDDOWN/ROUNDUP to
 * be cheap, but the definitions below work for any positive n. */
#define MIN(_a, _b)                                                            \
	({                                                                     \
		__typeof__(_a) __a = (_a);                                     \
		__typeof__(_b) __b = (_b);                                     \
		__a <= __b ? __a : __b;                                        \
	})
#define MAX(_a, _b)                                                            \
	({                                                                     \
		__typeof__(_a) __a = (_a);                                     \
		__typeof__(_b) __b = (_b);                                     \
		__a >= __b ? __a : __b;                                        \
	})

#define ROUNDDOWN(a, n)                                                        \
	({                                                                     \
		uintptr_t __a = (uintptr_t) (a);                               \
		(__typeof__(a)) (__a - __a % (n));                             \
	})
#define ROUNDUP(a, n)                                                          \
	({                                                                     \
		uintptr_t __n = (uintptr_t) (n);                               \
		(__typeof__(a)) (ROUNDDOWN((uintptr_t) (a) + __n - 1, __n));   \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Byte offset of a member within a struct. */
#define offsetof(type, member) __builtin_offsetof(type, member)

#endif /* !INC_TYPES_H */
