/*
 * Finding the function, source file and line of a kernel address, for
 * the monitor's stack backtrace.
 *
 * The information comes from two tables that the build generates from
 * the compiler's DWARF debug information (kernel/debugtab.py) and links
 * into the kernel's .debugtab section, both sorted by address.
 */
#ifndef KERNEL_KDEBUG_H
#define KERNEL_KDEBUG_H

#include <inc/types.h>

/* A function starts at addr and runs up to the next entry's addr. */
struct debug_func {
	uintptr_t addr;
	const char *name;
};

/* The code from addr up to the next entry's addr came from file:line. */
struct debug_line {
	uintptr_t addr;
	const char *file;
	int line;
};

extern const struct debug_func debug_funcs[];
extern const int debug_nfuncs;
extern const struct debug_line debug_lines[];
extern const int debug_nlines;

/* What debuginfo_eip finds out about an instruction address. */
struct Eipdebuginfo {
	const char *eip_file;	 /* source file, "<unknown>" if none */
	int eip_line;		 /* source line, 0 if unknown */
	const char *eip_fn_name; /* function name, "<unknown>" if none */
	uintptr_t eip_fn_addr;	 /* address of the function's start */
};

int debuginfo_eip(uintptr_t eip, struct Eipdebuginfo *info);

#endif /* !KERNEL_KDEBUG_H */
