/*
 * The monitor's memory commands (lab 2): look at, and poke at, the page
 * tables of the address space the CPU is using (CR3).
 *
 *   showmappings START END   what [START, END] maps to, as runs
 *   setperm VA [+|-]FLAGS    change W and U on the page at VA
 *   dumpmem [-p] ADDR LEN    hex dump of virtual (or physical) memory
 *   pages                    how many physical pages are free
 *
 * Addresses are hexadecimal, with or without 0x.  Commands never read
 * memory that is not mapped: they say so instead.
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/x86.h>
#include <kernel/monitor.h>
#include <kernel/pmap.h>

/* Parses a hex number of at most 8 digits, with or without 0x; false
 * if s is not one. */
static bool
parse_hex(const char *s, uint32_t *value)
{
	const char *digits = s;
	char *end;

	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
		digits += 2;
	/* strtol would also take a sign or leading blanks: not here. */
	if (*digits == '\0' || *digits == '-' || *digits == '+' ||
	    *digits == ' ' || strlen(digits) > 8)
		return false;
	*value = (uint32_t) strtol(s, &end, 16);
	return *end == '\0';
}

static pde_t *
current_pgdir(void)
{
	return (pde_t *) (rcr3() + KERNBASE);
}

static void
print_run(uintptr_t start, uintptr_t last, bool mapped, physaddr_t pa,
	  int flags)
{
	if (!mapped) {
		cprintf("  %08x-%08x  unmapped\n", start, last);
		return;
	}
	cprintf("  %08x-%08x -> %08x-%08x  %c %c %c%s\n", start, last, pa,
		pa + (last - start), 'P', (flags & PTE_W) ? 'W' : '-',
		(flags & PTE_U) ? 'U' : '-', (flags & PTE_PS) ? " PS" : "");
}

int
mon_showmappings(int argc, char **argv, struct Trapframe *tf)
{
	uint32_t start, end;

	if (argc != 3 || !parse_hex(argv[1], &start) ||
	    !parse_hex(argv[2], &end) || end < start) {
		cprintf("usage: showmappings START END  (hex addresses, START "
			"<= END)\n");
		return 0;
	}
	/* Pages mapped contiguously with the same permissions (or all
	 * unmapped) print as one run. */
	pde_t *pgdir = current_pgdir();
	uintptr_t run_start = ROUNDDOWN(start, PGSIZE), va = run_start;
	physaddr_t run_pa = 0;
	int run_flags = 0;
	bool run_mapped = pgdir_translate(pgdir, va, &run_pa, &run_flags);
	bool at_end;

	do {
		physaddr_t pa = 0;
		int flags = 0;
		va += PGSIZE;
		at_end = va == 0 || va > end;
		bool mapped =
			!at_end && pgdir_translate(pgdir, va, &pa, &flags);
		if (at_end || mapped != run_mapped ||
		    (mapped &&
		     (pa != run_pa + (va - run_start) ||
		      ((flags ^ run_flags) & (PTE_W | PTE_U | PTE_PS))))) {
			print_run(run_start, va - 1, run_mapped, run_pa,
				  run_flags);
			run_start = va;
			run_mapped = mapped;
			run_pa = pa;
			run_flags = flags;
		}
	} while (!at_end);
	return 0;
}

int
mon_setperm(int argc, char **argv, struct Trapframe *tf)
{
	uint32_t va;
	char op;
	const char *flags;
	int bits = 0;

	if (argc != 3 || !parse_hex(argv[1], &va)) {
		cprintf("usage: setperm VA [+|-]FLAGS   (FLAGS: W and/or U; "
			"no sign sets them exactly)\n");
		return 0;
	}
	op = argv[2][0];
	flags = (op == '+' || op == '-') ? argv[2] + 1 : argv[2];
	for (const char *f = flags; *f; f++) {
		if (*f == 'W' || *f == 'w')
			bits |= PTE_W;
		else if (*f == 'U' || *f == 'u')
			bits |= PTE_U;
		else {
			cprintf("setperm: unknown flag '%c' (W and U can "
				"change)\n",
				*f);
			return 0;
		}
	}

	pde_t *pgdir = current_pgdir();
	pde_t pde = pgdir[PDX(va)];
	if ((pde & PTE_P) && (pde & PTE_PS)) {
		cprintf("setperm: %08x is in a 4 MiB page; not supported\n",
			va);
		return 0;
	}
	pte_t *pte = (pde & PTE_P)
			     ? (pte_t *) (PTE_ADDR(pde) + KERNBASE) + PTX(va)
			     : NULL;
	if (pte == NULL || !(*pte & PTE_P)) {
		cprintf("setperm: %08x is not mapped\n", va);
		return 0;
	}
	if (op == '+')
		*pte |= bits;
	else if (op == '-')
		*pte &= ~bits;
	else
		*pte = (*pte & ~(PTE_W | PTE_U)) | bits;
	invlpg((void *) va);

	physaddr_t pa;
	int now;
	va = ROUNDDOWN(va, PGSIZE);
	if (pgdir_translate(pgdir, va, &pa, &now))
		print_run(va, va + PGSIZE - 1, true, pa, now);
	return 0;
}

/* Most bytes dumpmem prints at once. */
#define DUMPMEM_MAX 65536

int
mon_dumpmem(int argc, char **argv, struct Trapframe *tf)
{
	bool physical = argc > 1 && strcmp(argv[1], "-p") == 0;
	uint32_t addr, len;

	if (argc != 3 + physical || !parse_hex(argv[1 + physical], &addr) ||
	    !parse_hex(argv[2 + physical], &len) || len == 0 ||
	    len > DUMPMEM_MAX) {
		cprintf("usage: dumpmem [-p] ADDR LEN   (hex; LEN at most %x; "
			"-p: ADDR is physical)\n",
			DUMPMEM_MAX);
		return 0;
	}
	pde_t *pgdir = current_pgdir();
	/* Stop at the top of the address space rather than wrap. */
	if (len - 1 > 0xFFFFFFFF - addr)
		len = 0xFFFFFFFF - addr + 1;

	for (uint32_t offset = 0; offset < len; offset += 16) {
		uint32_t line = addr + offset;
		cprintf("%s%08x:", physical ? "pa " : "", line);
		for (uint32_t i = 0; i < 16 && offset + i < len; i++) {
			uint32_t a = line + i;
			const uint8_t *p = NULL;
			physaddr_t pa;
			int flags;

			if (physical) {
				if (PGNUM(a) < npages)
					p = (const uint8_t *) (a + KERNBASE);
			} else if (pgdir_translate(pgdir, a, &pa, &flags)) {
				p = (const uint8_t *) (pa + PGOFF(a) +
						       KERNBASE);
				if (PGNUM(pa) >= npages)
					p = NULL; /* device memory: don't */
			}
			if (p)
				cprintf(" %02x", *p);
			else
				cprintf(" --");
		}
		cprintf("\n");
	}
	return 0;
}

int
mon_pages(int argc, char **argv, struct Trapframe *tf)
{
	size_t nfree = page_free_count();

	cprintf("pages: %u total, %u free, %u in use (%uK free)\n",
		(unsigned) npages, (unsigned) nfree,
		(unsigned) (npages - nfree),
		(unsigned) (nfree * PGSIZE / 1024));
	return 0;
}
