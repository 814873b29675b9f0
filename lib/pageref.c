/* pageref: how many page-table entries map the page at va. */
#include <inc/lib.h>

/*
 * The count is the kernel's own, read from pages[] (mapped read-only at
 * UPAGES).  Pipes use it to learn whether the other end is still open:
 * see pipeisclosed in lib/pipe.c.  Returns 0 if nothing is mapped at va.
 */
int
pageref(void *va)
{
	if (!(uvpd[PDX(va)] & PTE_P))
		return 0;
	pte_t pte = uvpt[PGNUM(va)];
	if (!(pte & PTE_P))
		return 0;
	return pages[PGNUM(PTE_ADDR(pte))].pp_ref;
}
