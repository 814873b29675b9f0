/*
 * spawn (lab 5): start a program from the file system in a new
 * environment.  This is the library OS doing what a Unix kernel's exec
 * does, with nothing but the exokernel's page and environment calls:
 * the parent builds the child's whole address space (its segments read
 * from the file, its stack with argv), hands it the descriptors it
 * shares (PTE_SHARE pages), sets its registers, and lets it run.
 */
#include <inc/lib.h>
#include <inc/elf.h>

/* The most arguments spawn passes (argv[0] included). */
#define SPAWN_MAXARGS 64

/* The ELF header and its program headers are read in one go: a file
 * whose program headers end further in is refused. */
#define HEADER_BYTES 512

static int init_stack(envid_t child, const char **argv, uintptr_t *esp);
static int load_segment(envid_t child, int fd, const struct Proghdr *ph);
static int copy_shared_pages(envid_t child);

/*
 * Checks the ELF header and program headers in [header, header + n)
 * (n bytes of the file were read) with the kernel loader's rules
 * (kernel/env.c, elf_problem): a 32-bit little-endian i386 executable,
 * program headers inside what was read, every loaded segment below
 * UTOP with p_filesz <= p_memsz, the entry point inside a loaded
 * segment.  spawn adds two rules of its own: no segment may overlap
 * the stack page, and no two segments may share a page (each page is
 * built once, with one segment's permissions).  The segment's file
 * bytes are checked when they are read (a short read is an error).
 * Returns 0 or -E_NOT_EXEC.
 */
static int
elf_check(const uint8_t *header, size_t n)
{
	const struct Elf *elf = (const struct Elf *) header;
	const struct Proghdr *ph, *other;
	bool entry_loaded = false;

	if (n < sizeof(struct Elf) || elf->e_magic != ELF_MAGIC ||
	    elf->e_elf[EI_CLASS - 4] != ELFCLASS32 ||
	    elf->e_elf[EI_DATA - 4] != ELFDATA2LSB ||
	    elf->e_machine != EM_386 || elf->e_type != ET_EXEC ||
	    elf->e_phentsize != sizeof(struct Proghdr))
		return -E_NOT_EXEC;
	/* 64-bit sums: none can overflow. */
	if ((uint64_t) elf->e_phoff +
		    (uint64_t) elf->e_phnum * sizeof(struct Proghdr) >
	    n)
		return -E_NOT_EXEC;

	ph = (const struct Proghdr *) (header + elf->e_phoff);
	for (int i = 0; i < elf->e_phnum; i++) {
		if (ph[i].p_type != ELF_PROG_LOAD)
			continue;
		uint64_t start = ROUNDDOWN(ph[i].p_va, PGSIZE);
		uint64_t end =
			ROUNDUP((uint64_t) ph[i].p_va + ph[i].p_memsz, PGSIZE);
		if (ph[i].p_filesz > ph[i].p_memsz ||
		    (uint64_t) ph[i].p_va + ph[i].p_memsz > UTOP ||
		    (uint64_t) ph[i].p_offset + ph[i].p_filesz > 0xFFFFFFFFu)
			return -E_NOT_EXEC;
		if (end > USTACKTOP - PGSIZE)
			return -E_NOT_EXEC;
		for (int j = 0; j < i; j++) {
			other = &ph[j];
			if (other->p_type != ELF_PROG_LOAD)
				continue;
			if (start < ROUNDUP((uint64_t) other->p_va +
						    other->p_memsz,
					    PGSIZE) &&
			    ROUNDDOWN(other->p_va, PGSIZE) < end)
				return -E_NOT_EXEC;
		}
		if (elf->e_entry >= ph[i].p_va &&
		    elf->e_entry - ph[i].p_va < ph[i].p_memsz)
			entry_loaded = true;
	}
	return entry_loaded ? 0 : -E_NOT_EXEC;
}

/*
 * spawn: run program `prog` (a path on the file system) with arguments
 * argv (argv[0] its name by convention, NULL-terminated) in a new child
 * environment.  The child shares this environment's PTE_SHARE pages
 * (its open descriptors) and nothing else.
 *
 * Returns the child's envid, or: an error from open (-E_NOT_FOUND...),
 * -E_NOT_EXEC for a file that is not a valid executable, -E_INVAL for
 * too many or too long arguments, -E_NO_FREE_ENV / -E_NO_MEM.  On an
 * error nothing of the child remains.
 */
int
spawn(const char *prog, const char **argv)
{
	static uint8_t header[HEADER_BYTES];
	const struct Elf *elf = (const struct Elf *) header;
	const struct Proghdr *ph;
	struct Trapframe tf;
	uintptr_t esp;
	envid_t child;
	int fd, n, r;

	if ((fd = open(prog, O_RDONLY)) < 0)
		return fd;
	if ((n = readn(fd, header, sizeof(header))) < 0) {
		close(fd);
		return n;
	}
	if ((r = elf_check(header, n)) < 0) {
		close(fd);
		return r;
	}

	/* The child: not runnable until it is complete. */
	if ((child = sys_exofork()) < 0) {
		close(fd);
		return child;
	}
	if (child == 0) {
		/* Never happens: the child starts at the entry point set
		 * below, not here.  (sys_exofork must be inline, though.) */
		panic("spawn: the child ran in the parent's code");
	}

	if ((r = init_stack(child, argv, &esp)) < 0)
		goto error;
	ph = (const struct Proghdr *) (header + elf->e_phoff);
	for (int i = 0; i < elf->e_phnum; i++)
		if (ph[i].p_type == ELF_PROG_LOAD &&
		    (r = load_segment(child, fd, &ph[i])) < 0)
			goto error;
	close(fd);
	fd = -1;

	if ((r = copy_shared_pages(child)) < 0)
		goto error;

	/* The child starts at the entry point, on its new stack; the
	 * kernel fills in the segments and forces user mode. */
	tf = envs[ENVX(child)].env_tf;
	tf.tf_eip = elf->e_entry;
	tf.tf_esp = esp;
	if ((r = sys_env_set_trapframe(child, &tf)) < 0 ||
	    (r = sys_env_set_status(child, ENV_RUNNABLE)) < 0)
		goto error;
	return child;

error:
	sys_env_destroy(child);
	if (fd >= 0)
		close(fd);
	return r;
}

/*
 * spawnl: spawn with the arguments listed in the call, ending with
 * NULL: spawnl("/ls", "ls", "-l", (const char *) NULL).
 */
int
spawnl(const char *prog, const char *arg0, ...)
{
	const char *argv[SPAWN_MAXARGS + 1];
	va_list ap;
	int argc = 0;

	argv[argc++] = arg0;
	va_start(ap, arg0);
	while (arg0 != NULL && (argv[argc] = va_arg(ap, const char *)) != NULL)
		if (++argc == SPAWN_MAXARGS) {
			va_end(ap);
			return -E_INVAL;
		}
	va_end(ap);
	argv[argc] = NULL;
	return spawn(prog, argv);
}

/*
 * Builds the child's stack page, with argv laid out as lib/entry.S
 * expects (the kernel's push_program_name does the same for programs
 * it starts):
 *
 *   USTACKTOP ->  the strings, NUL-terminated
 *                 argv[argc] = NULL, argv[0..argc-1] (child addresses)
 *   *esp ->       argc, then the address of argv[0]
 *
 * The page is built at UTEMP in our own space, then moved to the
 * child's USTACKTOP - PGSIZE.  Returns 0, -E_INVAL (arguments do not
 * fit in half the page) or a page error.
 */
static int
init_stack(envid_t child, const char **argv, uintptr_t *esp)
{
	size_t argc = 0, string_bytes = 0;
	char *strings;
	uintptr_t *words;
	int r;

	for (argc = 0; argv[argc] != NULL; argc++) {
		if (argc == SPAWN_MAXARGS)
			return -E_INVAL;
		string_bytes += strnlen(argv[argc], PGSIZE) + 1;
	}
	string_bytes = ROUNDUP(string_bytes, 4);
	if (string_bytes + (argc + 3) * sizeof(uintptr_t) > PGSIZE / 2)
		return -E_INVAL;

	if ((r = sys_page_alloc(0, (void *) UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		return r;
		/* Where things are in our view (UTEMP) and the child's. */
#define CHILD_VA(p) ((uintptr_t) (p) - (uintptr_t) UTEMP + (USTACKTOP - PGSIZE))
	strings = (char *) UTEMP + PGSIZE - string_bytes;
	words = (uintptr_t *) strings - (argc + 1) - 2;
	words[0] = argc;
	words[1] = CHILD_VA(&words[2]);
	for (size_t i = 0; i < argc; i++) {
		words[2 + i] = CHILD_VA(strings);
		strcpy(strings, argv[i]);
		strings += strlen(argv[i]) + 1;
	}
	words[2 + argc] = 0;
	*esp = CHILD_VA(words);
#undef CHILD_VA

	r = sys_page_map(0, (void *) UTEMP, child,
			 (void *) (USTACKTOP - PGSIZE), PTE_P | PTE_U | PTE_W);
	sys_page_unmap(0, (void *) UTEMP);
	return r;
}

/*
 * Gives the child segment ph of the file open as fd: p_memsz bytes at
 * p_va, the first p_filesz of them read from the file at p_offset, the
 * rest zero.  Writable only if the segment says so.  Each page is
 * filled at UTEMP here (fresh pages come zeroed) and then mapped into
 * the child.  Returns 0, -E_NOT_EXEC if the file ends early, or an
 * error from the file or the page calls.
 */
static int
load_segment(envid_t child, int fd, const struct Proghdr *ph)
{
	int perm = PTE_P | PTE_U;
	uintptr_t va = ROUNDDOWN(ph->p_va, PGSIZE);
	uintptr_t end = ph->p_va + ph->p_memsz;
	size_t skip = ph->p_va - va; /* bytes before p_va in the page */
	uint32_t file_left = ph->p_filesz;
	int r;

	if (ph->p_flags & ELF_PROG_FLAG_WRITE)
		perm |= PTE_W;
	if (file_left > 0 && (r = seek(fd, ph->p_offset)) < 0)
		return r;
	for (; va < end; va += PGSIZE, skip = 0) {
		if ((r = sys_page_alloc(0, (void *) UTEMP,
					PTE_P | PTE_U | PTE_W)) < 0)
			return r;
		size_t n = MIN(file_left, PGSIZE - skip);
		if (n > 0) {
			r = readn(fd, (char *) UTEMP + skip, n);
			if (r >= 0 && (size_t) r != n)
				r = -E_NOT_EXEC; /* the file is too short */
			if (r < 0)
				goto unmap;
			file_left -= n;
		}
		r = sys_page_map(0, (void *) UTEMP, child, (void *) va, perm);
	unmap:
		sys_page_unmap(0, (void *) UTEMP);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * copy_shared_pages: map every page this environment has with
 * PTE_SHARE into the child, at the same address, with the same
 * permissions (lab 5, exercise 6).  These are the descriptor pages and
 * their data (an open file's offset, a pipe's buffer), which parent
 * and child must share, not copy.
 *
 * Walk the page tables like fork does: skip page tables that are not
 * there (uvpd), look at the PTEs (uvpt) of those that are.  Walk from
 * the top down: a descriptor's data region lies above its descriptor
 * page, and a pipe's buffer must be mapped before the descriptor that
 * uses it (see pipeisclosed in lib/pipe.c).
 * Returns 0 or the first error of sys_page_map.
 */
static int
copy_shared_pages(envid_t child)
{
#if SOL >= 5
	int r;

	for (int pdx = PDX(UTOP) - 1; pdx >= 0; pdx--) {
		if (!(uvpd[pdx] & PTE_P))
			continue;
		for (int pn = (pdx + 1) * NPTENTRIES - 1;
		     pn >= pdx * NPTENTRIES; pn--) {
			pte_t pte = uvpt[pn];
			if ((pte & (PTE_P | PTE_SHARE)) != (PTE_P | PTE_SHARE))
				continue;
			void *va = (void *) ((uintptr_t) pn << PGSHIFT);
			if ((r = sys_page_map(0, va, child, va,
					      pte & PTE_SYSCALL)) < 0)
				return r;
		}
	}
	return 0;
#else
	/* LAB 5: Your code here (exercise 6). */
	(void) child;
	cprintf("copy_shared_pages: not implemented (lab 5, exercise 6)\n");
	return -E_NOT_SUPP;
#endif
}
