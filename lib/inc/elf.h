/*
 * The ELF32 executable format: just the parts a loader needs.
 * Reference: the System V ABI, "Object Files" chapter.
 */
#ifndef INC_ELF_H
#define INC_ELF_H

#include <inc/types.h>

#define ELF_MAGIC 0x464C457FU /* "\x7FELF" read as a little-endian word */

/* e_ident[] indices and values. */
#define EI_CLASS    4
#define ELFCLASS32  1
#define EI_DATA	    5
#define ELFDATA2LSB 1

/* e_type and e_machine values. */
#define ET_EXEC 2
#define EM_386	3

struct Elf {
	uint32_t e_magic;  /* must equal ELF_MAGIC */
	uint8_t e_elf[12]; /* the rest of e_ident */
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry; /* where execution starts */
	uint32_t e_phoff; /* file offset of the program headers */
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize; /* size of one program header */
	uint16_t e_phnum;     /* how many program headers */
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

/* A program header: one segment to load. */
struct Proghdr {
	uint32_t p_type;   /* ELF_PROG_LOAD for segments to load */
	uint32_t p_offset; /* where the segment starts in the file */
	uint32_t p_va;	   /* virtual address to load at */
	uint32_t p_pa;	   /* physical address to load at */
	uint32_t p_filesz; /* bytes in the file */
	uint32_t p_memsz;  /* bytes in memory; the rest is zeroed */
	uint32_t p_flags;
	uint32_t p_align;
};

/* p_type */
#define ELF_PROG_LOAD 1

/* p_flags */
#define ELF_PROG_FLAG_EXEC  1
#define ELF_PROG_FLAG_WRITE 2
#define ELF_PROG_FLAG_READ  4

#endif /* !INC_ELF_H */
