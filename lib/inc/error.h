/*
 * Error codes shared by the kernel and the library OS.
 *
 * System calls and library functions return them negated (-E_INVAL);
 * printf's %e prints the matching text.  The numbers are part of the
 * user ABI and never change.
 */
#ifndef INC_ERROR_H
#define INC_ERROR_H

enum {
	E_UNSPECIFIED = 1, /* something failed; no better code fits */
	E_BAD_ENV,	   /* no such env, or the caller may not touch it */
	E_INVAL,	   /* an argument is out of range or misaligned */
	E_NO_MEM,	   /* out of physical pages (or kernel memory) */
	E_NO_FREE_ENV,	   /* all NENV environment slots are in use */
	E_FAULT,	   /* a memory access failed */
	E_IPC_NOT_RECV,	   /* the IPC target is not waiting to receive */
	E_EOF,		   /* end of file reached too early */

	/* Lab 5: the file system */
	E_NO_DISK,     /* the disk has no free block left */
	E_MAX_OPEN,    /* the open-file table is full */
	E_NOT_FOUND,   /* no such file or block */
	E_BAD_PATH,    /* the path is malformed */
	E_FILE_EXISTS, /* O_EXCL and the file is already there */
	E_NOT_EXEC,    /* not a loadable ELF executable */
	E_NOT_SUPP,    /* the device cannot do that */

	MAXERROR
};

#endif /* !INC_ERROR_H */
