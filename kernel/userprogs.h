/*
 * The user programs built into the kernel image (lab 3).
 *
 * Until lab 5 there is no file system to load programs from, so the
 * build links every user/NAME.c program's ELF image into the kernel,
 * with a table naming them (generated: obj/kernel/userprogs-table.S).  The
 * kernel command line chooses which run:
 *     run=hello              one program
 *     run=hello,divzero      several, one after the other
 *     run=fuzzsys*10         the same program ten times in a row
 *     run=forkexit:500:x     arguments after colons: argv = { "forkexit",
 *                            "500", "x" } (lab 4)
 *     run=yield+yield        (lab 4) both at once, side by side
 * `make run-NAME` passes run=NAME.
 */
#ifndef KERNEL_USERPROGS_H
#define KERNEL_USERPROGS_H

#include <inc/types.h>

struct user_program {
	const char *name;
	const uint8_t *image; /* the ELF file's bytes */
	uint32_t size;
};

extern const struct user_program user_programs[];
extern const int nuser_programs;

/* The program called name, or NULL. */
const struct user_program *find_user_program(const char *name);

/* Queues the programs the kernel command line names (run=...);
 * false if it names none. */
bool queue_programs_from_cmdline(void);

/* Creates an environment for the next queued program; -1 if none is
 * left (or none could be started). */
int start_next_program(void);

#endif /* !KERNEL_USERPROGS_H */
