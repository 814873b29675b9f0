/*
 * fuzzsys: a system call fuzzer that knows the right answers.
 *
 * It makes FUZZ_CALLS system calls with random numbers and random
 * arguments: wild pointers anywhere in the 4 GiB address space, lengths
 * up to 4 GiB, every kind of envid.  Before each call it predicts,
 * from its own page tables (uvpd[] and uvpt[]) and the read-only
 * envs[], what the kernel must answer, and panics if the kernel says
 * anything else.  Calls that would (rightly) end the environment are
 * skipped, so that all FUZZ_CALLS of them are survived.  Then it makes
 * one deliberately fatal call and checks that it does not come back.
 *
 * Every instance mixes the seed (FUZZ_SEED, or a number given as an
 * argument: `run=fuzzsys:1234*10`) with its envid, so `run=fuzzsys*100`
 * runs 100 different streams, and the same command line runs the same
 * streams again.  lab3/README.md (exercise 10) says how to read what
 * it prints.
 *
 * At the end it prints how many calls it made and a checksum of the
 * kernel's answers to them.  The grader picks the seed at grading time
 * and reads the same numbers from this program's memory through the
 * gdb stub when it reaches fuzz_report() in user mode: a kernel that
 * only prints the fuzzer's lines cannot know them.
 *
 * By default only lab 3's calls (0..3) and numbers that are no system
 * call at all are made.  `run=fuzzsys:lab4` (lab 4 on) adds every lab 4
 * call: the oracle then models the pages it maps (in its own sandbox
 * and in its children's address spaces) and the blank children it
 * creates with sys_exofork, and skips the draws whose answer it cannot
 * know (a receive that would block, a send to an environment that
 * happens to be receiving, anything that would overwrite its own code
 * or stack).  At the end the kernel must get every page back.
 */
#include <inc/lib.h>

/* The stream's seed when no argument gives one: `make
 * EXTRA_CFLAGS=-DFUZZ_SEED=7` picks others. */
#ifndef FUZZ_SEED
#define FUZZ_SEED 1
#endif
/* How many survivable calls each instance makes. */
#ifndef FUZZ_CALLS
#define FUZZ_CALLS 10000
#endif
/* Nonzero: use this seed as printed by an earlier run, unmixed, to
 * replay one instance's stream whatever its envid is now. */
#ifndef FUZZ_STREAM_SEED
#define FUZZ_STREAM_SEED 0
#endif

/* sys_cputs calls that print something print at most this much. */
#define MAX_PRINT 16

/* One system call: its number and the five argument registers. */
struct call {
	uint32_t num;
	uint32_t arg[5];
};

/* What the kernel must do with a call. */
enum verdict {
	RETURNS_EXACTLY,     /* return `value` */
	RETURNS_NONNEGATIVE, /* return something >= 0 (sys_cgetc) */
	ENDS_CALLER,	     /* destroy the caller (or its child) */
	NOT_MADE,	     /* lab 4: a call the oracle cannot predict */
};

struct prediction {
	enum verdict verdict;
	int32_t value;	  /* for RETURNS_EXACTLY */
	uintptr_t bad_va; /* for a sys_cputs that ENDS_CALLER */
	const char *rule; /* the rule the prediction follows */
};

static envid_t self;	   /* our own envid */
static uint32_t rng_state; /* the random stream; never 0 */

/* What the grader reads through the gdb stub at fuzz_report(): the
 * layout is read by lab3/test_lab3.py (FUZZ_REPORT), keep them alike. */
struct fuzz_report {
	uint32_t seed;	      /* FUZZ_SEED or the argument */
	uint32_t envid;	      /* self */
	uint32_t stream_seed; /* stream_seed(self): the first rng_state */
	uint32_t calls;	      /* survivable calls made */
	uint32_t checksum;    /* of the calls' numbers and answers */
};
struct fuzz_report report;

/* Bytes of printable text for sys_cputs to print: three pages, so
 * that short ranges also cross page boundaries. */
static char text[3 * PGSIZE];

/* What the run did, for the summary line. */
static struct {
	int cputs, cputs_printed, bytes_printed, cputs_quietened;
	int cgetc, getenvid, env_destroy, invalid;
	int skipped;
	int lab4[NSYSCALLS]; /* lab 4 calls made, by number */
	int lab4_errors;     /* how many of them returned an error */
} count;

#if LAB >= 4
/* run=fuzzsys:lab4: fuzz lab 4's calls too. */
static bool lab4_mode;

/* The lab 4 part, below. */
static struct child *find_child(envid_t envid);
static struct prediction predict_lab4(const struct call *c);
static void random_lab4_call(struct call *c);
#endif

/*
 * The next number of the stream: Marsaglia's xorshift32 (2003).  It is
 * not a good generator for statistics, but a fuzzer only needs
 * variety and reproducibility, in three lines.
 */
static uint32_t
random_next(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

/* A number in [0, n), n > 0 (slightly biased, which does not matter). */
static uint32_t
random_below(uint32_t n)
{
	return random_next() % n;
}

/*
 * The seed of this instance's stream: report.seed and our envid, mixed
 * (multiply-xorshift rounds) so that neighbouring envids give unrelated
 * streams.  xorshift32 must never start at 0.
 */
static uint32_t
stream_seed(envid_t envid)
{
	uint32_t x = report.seed * 0x9E3779B9u ^ (uint32_t) envid;

	if (FUZZ_STREAM_SEED != 0)
		return FUZZ_STREAM_SEED;
	x ^= x >> 16;
	x *= 0x7FEB352Du;
	x ^= x >> 15;
	x *= 0x846CA68Bu;
	x ^= x >> 16;
	return x != 0 ? x : 1;
}

/* -------------------------------------------------------------------
 * The oracle: what the kernel must answer.
 */

/*
 * May this environment read the byte at va?  Only below ULIM, and only
 * if both the page directory entry and the page table entry are
 * present and user-accessible: that is what the MMU itself demands of
 * a user read.  The directory entry is checked first: without it,
 * uvpt[] has no page there, and reading it would fault.
 */
static bool
user_may_read(uintptr_t va)
{
	const uint32_t needed = PTE_P | PTE_U;

	if (va >= ULIM)
		return false;
	if ((uvpd[PDX(va)] & needed) != needed)
		return false;
	return (uvpt[PGNUM(va)] & needed) == needed;
}

/*
 * Finds the first address of [va, va + len) this environment may not
 * read, by sys_cputs's rule: every page the range touches must be
 * readable, len 0 is always fine, and a range that runs past 4 GiB
 * never is (it reaches ULIM first).  The address is va itself if its
 * page is bad, else the start of the first bad page: what the kernel
 * reports.  Returns true and sets *bad_va, or false if all is readable.
 *
 * The walk is 64-bit so that va + len cannot wrap; it ends at the
 * first bad page, so it is short even for a 4 GiB length.
 */
static bool
first_unreadable(uintptr_t va, size_t len, uintptr_t *bad_va)
{
	uint64_t end = (uint64_t) va + len;
	uint64_t page_mask = ~(uint64_t) (PGSIZE - 1);

	for (uint64_t a = va; a < end; a = (a & page_mask) + PGSIZE) {
		if (!user_may_read((uintptr_t) a)) {
			*bad_va = (uintptr_t) a;
			return true;
		}
	}
	return false;
}

/* Would destroying envid end us or one of our children?  (0 is us.) */
static bool
names_me_or_my_child(envid_t envid)
{
	const volatile struct Env *e = &envs[ENVX(envid)];

	if (envid == 0 || envid == self)
		return true;
	return e->env_status != ENV_FREE && e->env_id == envid &&
	       e->env_parent_id == self;
}

/* The kernel's answer to call c, by the contracts of the system calls. */
static struct prediction
predict(const struct call *c)
{
	struct prediction p = { RETURNS_EXACTLY, 0, 0, "" };

	switch (c->num) {
	case SYS_cputs:
		if (first_unreadable(c->arg[0], c->arg[1], &p.bad_va)) {
			p.verdict = ENDS_CALLER;
			p.rule = "an unreadable range ends the caller";
		} else {
			p.rule = "a readable range is printed, result 0";
		}
		break;
	case SYS_cgetc:
		p.verdict = RETURNS_NONNEGATIVE;
		p.rule = "a character, or 0 if none";
		break;
	case SYS_getenvid:
		p.value = self;
		p.rule = "the caller's own envid";
		break;
	case SYS_env_destroy:
#if LAB >= 4
		if (lab4_mode && find_child((envid_t) c->arg[0]) != NULL) {
			p.rule = "our child is destroyed: 0";
			break;
		}
#endif
		if (names_me_or_my_child((envid_t) c->arg[0])) {
			p.verdict = ENDS_CALLER;
			p.rule = "0, the caller or a child is destroyed";
		} else {
			p.value = -E_BAD_ENV;
			p.rule = "neither the caller nor a child: -E_BAD_ENV";
		}
		break;
	default:
#if LAB >= 4
		if (lab4_mode && c->num < NSYSCALLS)
			return predict_lab4(c);
#endif
		if (c->num < NSYSCALLS)
			panic("fuzzsys: predict: call %u is not fuzzed",
			      c->num);
		p.value = -E_INVAL;
		p.rule = "no such system call: -E_INVAL";
		break;
	}
	return p;
}

/* -------------------------------------------------------------------
 * Making calls.
 */

/*
 * Traps into the kernel with call c, exactly as lib/syscall.c does but
 * with every register chosen by us and nothing checked by the library.
 * The kernel must return its result in eax and leave edx, ecx, ebx,
 * edi and esi as they were: checked here too.
 */
static int32_t
raw_syscall(const struct call *c)
{
	int32_t ret;
	uint32_t a1 = c->arg[0], a2 = c->arg[1], a3 = c->arg[2];
	uint32_t a4 = c->arg[3], a5 = c->arg[4];

	asm volatile("int %6"
		     : "=a"(ret), "+d"(a1), "+c"(a2), "+b"(a3), "+D"(a4),
		       "+S"(a5)
		     : "i"(T_SYSCALL), "0"(c->num)
		     : "cc", "memory");
	if (a1 != c->arg[0] || a2 != c->arg[1] || a3 != c->arg[2] ||
	    a4 != c->arg[3] || a5 != c->arg[4])
		panic("fuzzsys: call %d: the kernel changed argument "
		      "registers: "
		      "%08x %08x %08x %08x %08x became %08x %08x %08x %08x "
		      "%08x",
		      c->num, c->arg[0], c->arg[1], c->arg[2], c->arg[3],
		      c->arg[4], a1, a2, a3, a4, a5);
	return ret;
}

/* -------------------------------------------------------------------
 * Random calls.
 */

/* Addresses and numbers where bugs live: region edges, the sign bit,
 * the kernel.  Their neighbours (+/- a few) are drawn too. */
static uint32_t
interesting_value(void)
{
	static const uint32_t table[] = {
		0,
		1,
		2,
		~0u,
		0x7FFFFFFF,
		0x80000000,
		PGSIZE,
		PTSIZE,
		UTEXT,
		USTACKTOP - PGSIZE,
		USTACKTOP - 1,
		USTACKTOP,
		UXSTACKTOP - PGSIZE,
		UTOP,
		UENVS,
		UPAGES,
		UVPT,
		ULIM,
		MMIOLIM,
		KERNBASE,
		KERNBASE + KERNLOAD,
		~0u - PGSIZE + 1,
	};

	return table[random_below(ARRAY_SIZE(table))];
}

/*
 * An envid of some kind: ours, ours in another generation (stale or
 * not yet used), whatever a random slot of envs[] holds (free slots
 * keep the id they last had), a free slot with a made-up generation,
 * generation 0, negative ones, or any 32-bit word.
 */
static envid_t
random_envid(void)
{
	uint32_t slot = random_below(NENV);

	switch (random_below(7)) {
	case 0:
		return self;
	case 1:
		return (envid_t) ((uint32_t) self +
				  (random_below(2) ? 1 : -1) *
					  ((1 + random_below(64))
					   << ENVGENSHIFT));
	case 2:
		return envs[slot].env_id;
	case 3:
		return (envid_t) ((random_next() & 0x7FFFFFFF & ~(NENV - 1)) |
				  slot);
	case 4:
		return (envid_t) slot;
	case 5: {
		static const envid_t negative[] = { -1, -2, -NENV,
						    (envid_t) 0x80000000 };
		if (random_below(2))
			return negative[random_below(ARRAY_SIZE(negative))];
		return random_below(2) ? -self : (self | 0x80000000);
	}
	default:
		return (envid_t) random_next();
	}
}

/* An address to start a pointer from: anything from our own text and
 * data to the exposed kernel tables, kernel memory and the very top. */
static uintptr_t
random_pointer(void)
{
	int here; /* a stack variable: its address is on our stack */

	switch (random_below(7)) {
	case 0:
		return random_next();
	case 1:
		return interesting_value() + random_below(33) - 16;
	case 2: /* somewhere in our printable text */
		return (uintptr_t) text + random_below(sizeof(text));
	case 3: { /* in or near something of ours */
		const uintptr_t ours[] = {
			(uintptr_t) &here,    (uintptr_t) umain,
			(uintptr_t) &count,   (uintptr_t) thisenv,
			(uintptr_t) &uvpd[0],
		};
		return ours[random_below(ARRAY_SIZE(ours))] +
		       random_below(2 * PGSIZE) - PGSIZE;
	}
	case 4: /* in the exposed tables, UENVS up to ULIM */
		return UENVS + random_below(ULIM - UENVS);
	case 5: /* at a page boundary, give or take a few bytes */
		return (random_next() & ~(PGSIZE - 1)) + random_below(9) - 4;
	default: /* the kernel, above ULIM */
		return ULIM + random_below(0 - ULIM);
	}
}

/* A length for a range starting at va: mostly 0, some short, a few
 * pages, huge, exactly to the top of memory, or past it. */
static size_t
random_length(uintptr_t va)
{
	switch (random_below(16)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
	case 6:
	case 7:
	case 8:
		return 0;
	case 9:
	case 10:
	case 11:
		return 1 + random_below(MAX_PRINT);
	case 12:
		return 1 + random_below(3 * PGSIZE);
	case 13:
		return random_below(2) ? ~0u : (random_next() | 0x80000000);
	case 14: /* to the end of memory; and past it, wrapping */
		return random_below(2) ? 0 - va
				       : 0 - va + 1 + random_below(PGSIZE);
	default:
		return random_next();
	}
}

/* An argument register's value for a call that ignores it, or an
 * envid: random words, interesting values, envids and small numbers. */
static uint32_t
random_word(void)
{
	switch (random_below(4)) {
	case 0:
		return random_next();
	case 1:
		return interesting_value() + random_below(5) - 2;
	case 2:
		return (uint32_t) random_envid();
	default:
		return random_below(80) - 16;
	}
}

/* A number that is no system call: just past the table, negative,
 * huge, or any word at all (moved out of the valid range if it hit it). */
static uint32_t
random_invalid_number(void)
{
	uint32_t num;

	switch (random_below(4)) {
	case 0:
		num = NSYSCALLS + random_below(64);
		break;
	case 1:
		num = (uint32_t) -1 - random_below(64);
		break;
	case 2:
		num = interesting_value();
		break;
	default:
		num = random_next();
		break;
	}
	return num < NSYSCALLS ? num + NSYSCALLS : num;
}

/* Does [s, s + len) overlap [start, end)?  (len > 0, no wrap-around.) */
static bool
overlaps(uintptr_t s, size_t len, uintptr_t start, uintptr_t end)
{
	return s < end && s + len > start;
}

/*
 * Is the readable range [s, s + len) at most MAX_PRINT printable
 * characters?  The kernel prints all len bytes, NULs included, and
 * wild ranges in the exposed tables hold binary data, which would
 * garble the console.  Two places change between this check and the
 * kernel's read, so they are never quiet: the dead stack below us,
 * which the call overwrites with return addresses, and our own entry
 * in envs[], where the kernel saves our registers (env_tf) on the trap.
 */
static bool
prints_quietly(const char *s, size_t len)
{
	int here; /* its page, and the one below it, hold our stack */
	uintptr_t stack_bottom = ROUNDDOWN((uintptr_t) &here, PGSIZE) - PGSIZE;
	uintptr_t me = (uintptr_t) thisenv;

	if (len == 0)
		return true;
	if (overlaps((uintptr_t) s, len, stack_bottom, USTACKTOP) ||
	    overlaps((uintptr_t) s, len, me, me + sizeof(struct Env)))
		return false;
	if (len > MAX_PRINT)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < ' ' || s[i] > '~')
			return false;
	return true;
}

/*
 * A random call, its five arguments drawn whatever the call uses.  Out
 * of 16: 5 invalid numbers, 6 sys_cputs (the call with a pointer to
 * check), 3 sys_env_destroy, and one each of sys_cgetc, sys_getenvid.
 */
static void
random_call(struct call *c)
{
	static const uint8_t lab3_calls[11] = {
		SYS_cputs,	 SYS_cputs, SYS_cputs,	     SYS_cputs,
		SYS_cputs,	 SYS_cputs, SYS_env_destroy, SYS_env_destroy,
		SYS_env_destroy, SYS_cgetc, SYS_getenvid,
	};
	uint32_t pick = random_below(16);

	for (int i = 0; i < 5; i++)
		c->arg[i] = random_word();
#if LAB >= 4
	/* With lab 4: half the calls are lab 4's. */
	if (lab4_mode && random_below(2)) {
		random_lab4_call(c);
		return;
	}
#endif
	if (pick >= ARRAY_SIZE(lab3_calls)) {
		c->num = random_invalid_number();
		return;
	}
	c->num = lab3_calls[pick];
	if (c->num == SYS_cputs) {
		c->arg[0] = random_pointer();
		c->arg[1] = random_length(c->arg[0]);
	}
}

#if LAB >= 4
/* -------------------------------------------------------------------
 * Lab 4: the page and environment calls, and their model.
 *
 * Pages we may map and unmap in our own address space: SANDBOX_PAGES
 * pages at SANDBOX, far from our program, stack and exception stack.
 * Our children are blank (sys_exofork) and never run, so anything may
 * be mapped in them; the model remembers what (at most CHILD_PAGES
 * mappings each).
 */
#define SANDBOX	      0x20000000
#define SANDBOX_PAGES 16
#define MAX_CHILDREN  4
#define CHILD_PAGES   32

static struct child {
	envid_t id; /* 0: unused */
	int npages;
	uintptr_t va[CHILD_PAGES];
	int perm[CHILD_PAGES];
} children[MAX_CHILDREN];

static struct child *
find_child(envid_t envid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i].id != 0 && children[i].id == envid)
			return &children[i];
	return NULL;
}

/* envid2env with the permission check: 0 and we are us; our children
 * are in the model.  NULL for a bad envid. */
static bool
may_act_on(envid_t envid, struct child **child)
{
	*child = NULL;
	if (envid == 0 || envid == self)
		return true;
	*child = find_child(envid);
	return *child != NULL;
}

/* Whom a send reaches: any environment that exists (no permission
 * check).  Sets *recving if it is waiting to receive. */
static bool
exists(envid_t envid, bool *recving)
{
	const volatile struct Env *e = &envs[ENVX(envid)];

	if (envid == 0 || envid == self) {
		*recving = false;
		return true;
	}
	if (e->env_id != envid || e->env_status == ENV_FREE)
		return false;
	*recving = e->env_ipc_recving;
	return true;
}

static bool
in_sandbox(uintptr_t va)
{
	return va >= SANDBOX && va < SANDBOX + SANDBOX_PAGES * PGSIZE;
}

/* The PTE permission bits of va in env (self or a child); 0 if not
 * mapped. */
static int
mapping(struct child *child, uintptr_t va)
{
	if (child == NULL) {
		if (!(uvpd[PDX(va)] & PTE_P) || !(uvpt[PGNUM(va)] & PTE_P))
			return 0;
		return uvpt[PGNUM(va)] & PTE_SYSCALL;
	}
	for (int i = 0; i < child->npages; i++)
		if (child->va[i] == va)
			return child->perm[i];
	return 0;
}

/* Records that va is mapped in child with perm (0: unmapped).  False if
 * the model has no room. */
static bool
record(struct child *child, uintptr_t va, int perm, bool really)
{
	for (int i = 0; i < child->npages; i++) {
		if (child->va[i] != va)
			continue;
		if (really) {
			if (perm != 0) {
				child->perm[i] = perm;
			} else {
				child->npages--;
				child->va[i] = child->va[child->npages];
				child->perm[i] = child->perm[child->npages];
			}
		}
		return true;
	}
	if (perm == 0)
		return true;
	if (child->npages == CHILD_PAGES)
		return false;
	if (really) {
		child->va[child->npages] = va;
		child->perm[child->npages++] = perm;
	}
	return true;
}

static bool
perm_ok(int perm)
{
	return (perm & (PTE_P | PTE_U)) == (PTE_P | PTE_U) &&
	       (perm & ~PTE_SYSCALL) == 0;
}

static bool
page_va_ok(uintptr_t va)
{
	return va < UTOP && va % PGSIZE == 0;
}

/* May the model let va in env change?  Our own pages only in the
 * sandbox; a child's if the model has room. */
static bool
may_change(struct child *child, uintptr_t va, int perm)
{
	return child == NULL ? in_sandbox(va) : record(child, va, perm, false);
}

/* A page address: mostly the sandbox, else anything. */
static uint32_t
random_page_va(void)
{
	switch (random_below(8)) {
	case 0:
	case 1:
	case 2:
	case 3:
		return SANDBOX + random_below(SANDBOX_PAGES) * PGSIZE;
	case 4:
		return SANDBOX + random_below(SANDBOX_PAGES * PGSIZE);
	case 5:
		return interesting_value() +
		       (random_below(4) ? 0 : random_below(9) - 4);
	case 6:
		return random_pointer();
	default:
		return random_next();
	}
}

static uint32_t
random_perm(void)
{
	static const uint32_t good[] = {
		PTE_P | PTE_U,	       PTE_P | PTE_U | PTE_W,
		PTE_P | PTE_U | 0x200, PTE_P | PTE_U | PTE_W | 0x400,
		PTE_P | PTE_U | 0x800,
	};

	switch (random_below(4)) {
	case 0:
	case 1:
		return good[random_below(ARRAY_SIZE(good))];
	case 2:
		return good[random_below(ARRAY_SIZE(good))] ^
		       (1 << random_below(12));
	default:
		return random_next();
	}
}

/* An envid for a lab 4 call: often ourselves, 0 or a child. */
static envid_t
random_target(void)
{
	struct child *c = &children[random_below(MAX_CHILDREN)];

	switch (random_below(6)) {
	case 0:
		return 0;
	case 1:
	case 2:
		return c->id != 0 ? c->id : self;
	default:
		return random_envid();
	}
}

static void
random_lab4_call(struct call *c)
{
	static const uint8_t calls[] = {
		SYS_page_alloc,
		SYS_page_alloc,
		SYS_page_map,
		SYS_page_map,
		SYS_page_map,
		SYS_page_unmap,
		SYS_page_unmap,
		SYS_exofork,
		SYS_env_set_status,
		SYS_env_set_trapframe,
		SYS_env_set_pgfault_upcall,
		SYS_yield,
		SYS_ipc_try_send,
		SYS_ipc_try_send,
		SYS_ipc_recv,
		SYS_ipc_call,
		SYS_ipc_reply_recv,
	};

	c->num = calls[random_below(ARRAY_SIZE(calls))];
	switch (c->num) {
	case SYS_page_alloc:
	case SYS_page_unmap:
	case SYS_env_set_pgfault_upcall:
		c->arg[0] = random_target();
		c->arg[1] = random_page_va();
		c->arg[2] = random_perm();
		break;
	case SYS_page_map:
		c->arg[0] = random_target();
		c->arg[1] = random_page_va();
		c->arg[2] = random_target();
		c->arg[3] = random_page_va();
		c->arg[4] = random_perm();
		break;
	case SYS_env_set_status:
		c->arg[0] = random_target();
		c->arg[1] = random_below(4) ? random_below(6) : random_next();
		break;
	case SYS_env_set_trapframe:
		c->arg[0] = random_target();
		c->arg[1] = random_pointer();
		break;
	case SYS_ipc_try_send:
	case SYS_ipc_call:
	case SYS_ipc_reply_recv:
		c->arg[0] = random_target();
		c->arg[2] = random_below(3) ? random_page_va() : UTOP;
		c->arg[3] = random_perm();
		c->arg[4] = random_page_va();
		break;
	case SYS_ipc_recv:
		c->arg[0] = random_page_va();
		break;
	}
}

/* The checks of the sending half of IPC (kernel/syscall.c,
 * ipc_deliver), in its order. */
static struct prediction
predict_send(envid_t to, uintptr_t srcva, int perm)
{
	struct prediction p = { RETURNS_EXACTLY, 0, 0, "" };
	bool recving;

	if (!exists(to, &recving)) {
		p.value = -E_BAD_ENV;
		p.rule = "send: no such environment: -E_BAD_ENV";
	} else if (srcva < UTOP &&
		   (srcva % PGSIZE != 0 || !perm_ok(perm) ||
		    !mapping(NULL, srcva) ||
		    ((perm & PTE_W) && !(mapping(NULL, srcva) & PTE_W)))) {
		p.value = -E_INVAL;
		p.rule = "send: a bad page or permission: -E_INVAL";
	} else if (recving) {
		p.verdict = NOT_MADE;
	} else {
		p.value = -E_IPC_NOT_RECV;
		p.rule = "send: not receiving: -E_IPC_NOT_RECV";
	}
	return p;
}

static struct prediction
predict_lab4(const struct call *c)
{
	struct prediction p = { RETURNS_EXACTLY, 0, 0, "" };
	struct child *child, *dst;
	uint32_t va = c->arg[1];
	int perm;

	switch (c->num) {
	case SYS_page_alloc:
	case SYS_page_unmap:
		if (!may_act_on(c->arg[0], &child)) {
			p.value = -E_BAD_ENV;
			p.rule = "not us or our child: -E_BAD_ENV";
		} else if (!page_va_ok(va) ||
			   (c->num == SYS_page_alloc && !perm_ok(c->arg[2]))) {
			p.value = -E_INVAL;
			p.rule = "va >= UTOP, unaligned, or bad perm: -E_INVAL";
		} else if (!may_change(child, va,
				       c->num == SYS_page_alloc ? c->arg[2]
								: 0)) {
			p.verdict = NOT_MADE;
		} else {
			p.rule = "mapped or unmapped: 0";
		}
		break;
	case SYS_page_map:
		perm = c->arg[4];
		if (!may_act_on(c->arg[0], &child) ||
		    !may_act_on(c->arg[2], &dst)) {
			p.value = -E_BAD_ENV;
			p.rule = "source or destination not us or our child: "
				 "-E_BAD_ENV";
		} else if (!page_va_ok(va) || !page_va_ok(c->arg[3]) ||
			   !perm_ok(perm)) {
			p.value = -E_INVAL;
			p.rule = "a va >= UTOP or unaligned, or bad perm: "
				 "-E_INVAL";
		} else if (!mapping(child, va)) {
			p.value = -E_INVAL;
			p.rule = "nothing mapped at srcva: -E_INVAL";
		} else if ((perm & PTE_W) && !(mapping(child, va) & PTE_W)) {
			p.value = -E_INVAL;
			p.rule = "PTE_W from a read-only page: -E_INVAL";
		} else if (!may_change(dst, c->arg[3], perm)) {
			p.verdict = NOT_MADE;
		} else {
			p.rule = "mapped: 0";
		}
		break;
	case SYS_exofork:
		p.verdict = NOT_MADE;
		for (int i = 0; i < MAX_CHILDREN; i++)
			if (children[i].id == 0)
				p.verdict = RETURNS_NONNEGATIVE;
		p.rule = "a new child's envid";
		break;
	case SYS_env_set_status:
		if (!may_act_on(c->arg[0], &child)) {
			p.value = -E_BAD_ENV;
			p.rule = "not us or our child: -E_BAD_ENV";
		} else if (c->arg[1] != ENV_RUNNABLE &&
			   c->arg[1] != ENV_NOT_RUNNABLE) {
			p.value = -E_INVAL;
			p.rule = "neither runnable nor not runnable: -E_INVAL";
		} else if ((child == NULL) != (c->arg[1] == ENV_RUNNABLE)) {
			/* We must not stop; our children must not start. */
			p.verdict = NOT_MADE;
		} else {
			p.rule = "0";
		}
		break;
	case SYS_env_set_trapframe: {
		uintptr_t bad;

		if (!may_act_on(c->arg[0], &child)) {
			p.value = -E_BAD_ENV;
			p.rule = "not us or our child: -E_BAD_ENV";
		} else if (first_unreadable(c->arg[1], sizeof(struct Trapframe),
					    &bad)) {
			p.value = -E_FAULT;
			p.rule = "an unreadable frame: -E_FAULT";
		} else if (child == NULL) {
			p.verdict =
				NOT_MADE; /* it would replace our registers */
		} else {
			p.rule = "0";
		}
		break;
	}
	case SYS_env_set_pgfault_upcall:
		if (!may_act_on(c->arg[0], &child)) {
			p.value = -E_BAD_ENV;
			p.rule = "not us or our child: -E_BAD_ENV";
		} else if (child == NULL) {
			p.verdict =
				NOT_MADE; /* we have no handler to replace */
		} else {
			p.rule = "0";
		}
		break;
	case SYS_yield:
		p.rule = "we run again, result 0";
		break;
	case SYS_ipc_try_send:
		p = predict_send(c->arg[0], c->arg[2], c->arg[3]);
		break;
	case SYS_ipc_recv:
		if (c->arg[0] < UTOP && c->arg[0] % PGSIZE != 0) {
			p.value = -E_INVAL;
			p.rule = "an unaligned dstva: -E_INVAL";
		} else {
			p.verdict = NOT_MADE; /* it would wait for ever */
		}
		break;
	case SYS_ipc_call:
	case SYS_ipc_reply_recv:
		if (c->arg[4] < UTOP && c->arg[4] % PGSIZE != 0) {
			p.value = -E_INVAL;
			p.rule = "an unaligned dstva: -E_INVAL";
		} else {
			p = predict_send(c->arg[0], c->arg[2], c->arg[3]);
		}
		break;
	default:
		panic("fuzzsys: predict: call %u is not fuzzed", c->num);
	}
	if (p.verdict == RETURNS_EXACTLY && p.value < 0)
		count.lab4_errors++;
	return p;
}

/* After a lab 4 call succeeded: what changed, in the model. */
static void
apply_lab4(const struct call *c, int32_t ret)
{
	struct child *child, *dst;

	count.lab4[c->num]++;
	if (ret < 0)
		return;
	switch (c->num) {
	case SYS_page_alloc:
	case SYS_page_unmap:
		may_act_on(c->arg[0], &child);
		if (child != NULL)
			record(child, c->arg[1],
			       c->num == SYS_page_alloc ? (int) c->arg[2] : 0,
			       true);
		break;
	case SYS_page_map:
		may_act_on(c->arg[0], &child);
		may_act_on(c->arg[2], &dst);
		if (dst != NULL)
			record(dst, c->arg[3], c->arg[4], true);
		break;
	case SYS_exofork:
		for (int i = 0; i < MAX_CHILDREN; i++) {
			if (children[i].id == 0) {
				children[i].id = ret;
				children[i].npages = 0;
				break;
			}
		}
		break;
	}
}

/*
 * The invariant the model cannot compute: the kernel's page counts.
 * Every page we map in the sandbox is either ours alone or shared with
 * children through sys_page_map: its pp_ref (pages[], read-only) is at
 * least 1 and at most 1 + MAX_CHILDREN * CHILD_PAGES mappings.
 */
static void
check_page_counts(void)
{
	for (uintptr_t va = SANDBOX; va < SANDBOX + SANDBOX_PAGES * PGSIZE;
	     va += PGSIZE) {
		if (!mapping(NULL, va))
			continue;
		uint16_t ref = pages[PGNUM(uvpt[PGNUM(va)])].pp_ref;
		if (ref < 1 || ref > 1 + MAX_CHILDREN * CHILD_PAGES)
			panic("fuzzsys: the page at %08x has pp_ref %u", va,
			      ref);
	}
}
#endif

/* Panics with everything needed to reproduce a wrong answer. */
static void
wrong_answer(int index, const struct call *c, int32_t ret,
	     const struct prediction *p)
{
	panic("fuzzsys: WRONG ANSWER: call %d of env %08x (seed %u): "
	      "syscall(%u = %08x, %08x, %08x, %08x, %08x, %08x) returned %d "
	      "(%08x), expected %s%d: %s",
	      index, self, stream_seed(self), c->num, c->num, c->arg[0],
	      c->arg[1], c->arg[2], c->arg[3], c->arg[4], ret, ret,
	      p->verdict == RETURNS_NONNEGATIVE ? ">= " : "", p->value,
	      p->rule);
}

/*
 * Folds one call's number and the kernel's answer into the report's
 * checksum (FNV-1a over the two words): with the count, what shows
 * that the calls were made.
 */
static void
fold_answer(const struct call *c, int32_t ret)
{
	const uint32_t words[2] = { c->num, (uint32_t) ret };

	for (int i = 0; i < 2; i++)
		report.checksum = (report.checksum ^ words[i]) * 16777619u;
	report.calls++;
}

/* Makes one survivable call; false if the call drawn was not one. */
static bool
survivable_call(int index)
{
	struct call c;
	struct prediction p;
	int32_t ret;

	random_call(&c);
	p = predict(&c);
	if (p.verdict == ENDS_CALLER || p.verdict == NOT_MADE) {
		count.skipped++;
		return false;
	}
	/* A readable range whose text would garble the console: the same
	 * pointer, with length 0. */
	if (c.num == SYS_cputs &&
	    !prints_quietly((const char *) c.arg[0], c.arg[1])) {
		c.arg[1] = 0;
		count.cputs_quietened++;
	}

	ret = raw_syscall(&c);

	if (p.verdict == RETURNS_NONNEGATIVE ? ret < 0 : ret != p.value)
		wrong_answer(index, &c, ret, &p);
	fold_answer(&c, ret);

#if LAB >= 4
	if (lab4_mode && c.num > SYS_env_destroy && c.num < NSYSCALLS) {
		apply_lab4(&c, ret);
		return true;
	}
	if (lab4_mode && c.num == SYS_env_destroy && ret == 0) {
		struct child *child = find_child((envid_t) c.arg[0]);
		if (child != NULL)
			child->id = 0;
	}
#endif
	switch (c.num) {
	case SYS_cputs:
		count.cputs++;
		if (c.arg[1] > 0) {
			count.cputs_printed++;
			count.bytes_printed += c.arg[1];
		}
		break;
	case SYS_cgetc:
		count.cgetc++;
		break;
	case SYS_getenvid:
		count.getenvid++;
		break;
	case SYS_env_destroy:
		count.env_destroy++;
		break;
	default:
		count.invalid++;
		break;
	}
	return true;
}

/*
 * The first page below ULIM that is present but not user-accessible
 * (in its PTE or its PDE), or 0 if there is none.  The kernel's
 * pointer check must test PTE_U, not just PTE_P: this is the page that
 * shows it.  The kernel maps none such today (its directory entries are
 * all user-accessible, its PTEs decide), but a later lab might.
 */
static uintptr_t
kernel_only_page(void)
{
	for (uint32_t pdx = 0; pdx < PDX(ULIM); pdx++) {
		if (!(uvpd[pdx] & PTE_P))
			continue;
		/* Without PTE_U here, uvpt[] cannot show us the PTEs. */
		if (!(uvpd[pdx] & PTE_U))
			return (uintptr_t) PGADDR(pdx, 0, 0);
		for (uint32_t ptx = 0; ptx < NPTENTRIES; ptx++) {
			uintptr_t va = (uintptr_t) PGADDR(pdx, ptx, 0);
			if ((uvpt[PGNUM(va)] & PTE_P) && !user_may_read(va))
				return va;
		}
	}
	return 0;
}

/*
 * One call that must end us, chosen at random: sys_cputs of a range we
 * may not read (kernel memory, an unmapped page below UTOP, a range
 * that starts in our own text and wraps past 4 GiB, the stack's last
 * bytes and the guard page above, a range from our text to envs[] whose
 * two ends are readable but not the pages between, a page below ULIM
 * that is mapped but not for the user, if any), or sys_env_destroy of
 * ourselves.  The line before it says what the kernel must print.
 */
static void __attribute__((noreturn)) fatal_call(void)
{
	struct call c = { SYS_cputs, { 0, 0, 0, 0, 0 } };
	uintptr_t bad_va;

	switch (random_below(7)) {
	case 0: /* kernel memory */
		c.arg[0] = ULIM + random_below(0 - ULIM);
		c.arg[1] = 1 + random_below(PGSIZE);
		break;
	case 1: /* an unmapped page below UTOP */
		do
			c.arg[0] = random_below(UTOP);
		while (user_may_read(c.arg[0]));
		c.arg[1] = 1 + random_below(MAX_PRINT);
		break;
	case 2: /* readable at first, then wrapping past 4 GiB */
		c.arg[0] = (uintptr_t) text + random_below(sizeof(text));
		c.arg[1] = 0 - c.arg[0] + 1 + random_below(PGSIZE);
		break;
	case 3: /* the top of the stack and the guard page */
		c.arg[0] = USTACKTOP - 1 - random_below(MAX_PRINT - 1);
		c.arg[1] = MAX_PRINT;
		break;
	case 4: /* both ends readable (our text, envs[]), holes between */
		c.arg[0] = (uintptr_t) text + random_below(sizeof(text));
		c.arg[1] = UENVS + random_below(PGSIZE) - c.arg[0];
		break;
	case 5: /* present but kernel-only, if there is such a page */
		if ((c.arg[0] = kernel_only_page()) != 0) {
			c.arg[0] += random_below(PGSIZE);
			c.arg[1] = 1 + random_below(MAX_PRINT);
			break;
		}
		/* None (the usual case): kernel memory instead. */
		c.arg[0] = ULIM + random_below(0 - ULIM);
		c.arg[1] = 1 + random_below(MAX_PRINT);
		break;
	default: /* destroy ourselves, as 0 or by our id */
		c.num = SYS_env_destroy;
		c.arg[0] = random_below(2) ? 0 : self;
		break;
	}

	if (c.num == SYS_cputs) {
		if (!first_unreadable(c.arg[0], c.arg[1], &bad_va))
			panic("fuzzsys: the fatal range [%08x, +%08x) is "
			      "readable",
			      c.arg[0], c.arg[1]);
		cprintf("fuzzsys: fatal call sys_cputs(%08x, %08x): expect "
			"\"[%08x] user_mem_check assertion failure for va "
			"%08x\"\n",
			c.arg[0], c.arg[1], self, bad_va);
	} else {
		cprintf("fuzzsys: fatal call sys_env_destroy(%08x): expect "
			"\"[%08x] exiting gracefully\"\n",
			c.arg[0], self);
	}
	raw_syscall(&c);
	panic("fuzzsys: the fatal call returned");
}

/*
 * Prints the count and the checksum.  Not inlined: the grader stops
 * here (a breakpoint at its address, in user mode) and reads `report`.
 */
void __attribute__((noinline)) fuzz_report(void)
{
	cprintf("fuzzsys: env %08x made %u calls from base seed %u, answers' "
		"checksum %08x\n",
		report.envid, report.calls, report.seed, report.checksum);
}

/* The arguments: "lab4" (lab 4 on) and a decimal seed, in any order. */
static void
parse_arguments(int argc, char **argv)
{
	report.seed = FUZZ_SEED;
	for (int i = 1; i < argc; i++) {
		char *end;
		long seed = strtol(argv[i], &end, 10);

#if LAB >= 4
		if (strcmp(argv[i], "lab4") == 0) {
			lab4_mode = true;
			continue;
		}
#endif
		if (end == argv[i] || *end != '\0')
			panic("fuzzsys: argument '%s' is neither a seed nor "
			      "lab4",
			      argv[i]);
		report.seed = (uint32_t) seed;
	}
}

void
umain(int argc, char **argv)
{
	int made = 0;

	self = sys_getenvid();
	parse_arguments(argc, argv);
	if (self != thisenv->env_id)
		panic("fuzzsys: sys_getenvid says %08x, envs[] says %08x", self,
		      thisenv->env_id);
	rng_state = stream_seed(self);
	report.envid = self;
	report.stream_seed = rng_state;
	cprintf("fuzzsys: env %08x seed %u\n", self, rng_state);

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = 'a' + i % 26;

	while (made < FUZZ_CALLS)
		if (survivable_call(made))
			made++;

	/* Whatever sys_cputs printed has no newline of its own. */
	if (count.bytes_printed > 0)
		cprintf("\n");
	cprintf("fuzzsys: cputs %d (%d printed %d bytes, %d made quiet), "
		"cgetc %d, getenvid %d, env_destroy %d, invalid numbers %d; "
		"%d fatal draws skipped\n",
		count.cputs, count.cputs_printed, count.bytes_printed,
		count.cputs_quietened, count.cgetc, count.getenvid,
		count.env_destroy, count.invalid, count.skipped);
#if LAB >= 4
	if (lab4_mode) {
		check_page_counts();
		cprintf("fuzzsys: lab 4: page_alloc %d, page_map %d, "
			"page_unmap %d, "
			"exofork %d, env_set_status %d, env_set_trapframe %d, "
			"env_set_pgfault_upcall %d, yield %d, ipc_try_send %d, "
			"ipc_recv %d, ipc_call %d, ipc_reply_recv %d; %d "
			"errors\n",
			count.lab4[SYS_page_alloc], count.lab4[SYS_page_map],
			count.lab4[SYS_page_unmap], count.lab4[SYS_exofork],
			count.lab4[SYS_env_set_status],
			count.lab4[SYS_env_set_trapframe],
			count.lab4[SYS_env_set_pgfault_upcall],
			count.lab4[SYS_yield], count.lab4[SYS_ipc_try_send],
			count.lab4[SYS_ipc_recv], count.lab4[SYS_ipc_call],
			count.lab4[SYS_ipc_reply_recv], count.lab4_errors);
	}
#endif
	fuzz_report();
	cprintf("fuzzsys: %d calls survived, all answers as expected\n", made);

	fatal_call();
}
