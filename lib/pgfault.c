/*
 * User-level page fault handling: the C side of lib/pfentry.S.
 *
 * The kernel sends this environment's page faults to _pgfault_upcall
 * (lib/pfentry.S), on the user exception stack; _pgfault_upcall calls
 * the C function installed here and then resumes the faulting code.
 */
#include <inc/lib.h>

/* The assembly entry point (lib/pfentry.S). */
extern void _pgfault_upcall(void);

/* The C handler _pgfault_upcall calls (with the UTrapframe). */
void (*_pgfault_handler)(struct UTrapframe *utf);

/* lib/pfentry.S reads the frame by these offsets. */
static_assert(offsetof(struct UTrapframe, utf_regs) == 8);
static_assert(offsetof(struct UTrapframe, utf_eip) == 40);
static_assert(offsetof(struct UTrapframe, utf_esp) == 48);

/*
 * set_pgfault_handler: make `handler` this environment's page fault
 * handler (lab 4, exercise 11).
 *
 * The first time, it also allocates the exception stack, one page at
 * UXSTACKTOP - PGSIZE, and tells the kernel to send page faults to
 * _pgfault_upcall (sys_env_set_pgfault_upcall); it panics if either
 * fails: a program that asks for a handler cannot run without one.
 * Later calls only change the C handler.
 *
 * The handler gets the fault's UTrapframe; when it returns, the
 * faulting instruction runs again.
 */
void
set_pgfault_handler(void (*handler)(struct UTrapframe *utf))
{
#if SOL >= 4
	int r;

	if (_pgfault_handler == NULL) {
		if ((r = sys_page_alloc(0, (void *) (UXSTACKTOP - PGSIZE),
					PTE_P | PTE_U | PTE_W)) < 0)
			panic("set_pgfault_handler: no exception stack: %e", r);
		if ((r = sys_env_set_pgfault_upcall(0, _pgfault_upcall)) < 0)
			panic("set_pgfault_handler: %e", r);
	}
	_pgfault_handler = handler;
#else
	/* LAB 4: Your code here (exercise 11). */
	panic("set_pgfault_handler: not implemented (lab 4, exercise 11)");
#endif
}

#if SOL < 4
/* Called by lib/pfentry.S's stub after the handler returns. */
void
pfentry_not_implemented(void)
{
	panic("_pgfault_upcall: returning to the faulting code is not "
	      "implemented (lab 4, exercise 10)");
}
#endif
