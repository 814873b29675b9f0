/*
 * The self-checks of lab2/pmap_check.c, which mem_init (and, from lab
 * 4 on, boot_aps) run at boot.  Each panics at the first surprise and
 * prints "<name>() succeeded!" when it is done.
 */
#ifndef LAB2_PMAP_CHECK_H
#define LAB2_PMAP_CHECK_H

#include <inc/types.h>

/* The free list; only_low_memory: only the pages below ENTRY_MAPPED,
 * all that the entry page directory maps. */
void check_page_free_list(bool only_low_memory);
void check_page_alloc(void);
void check_page(void);
void check_kern_pgdir(void);
void check_page_installed_pgdir(void);
#if LAB >= 4
/* Whether every CPU's kernel stack is mapped where mem_init_mp puts
 * it: false, with a message, if nothing is mapped yet; a panic on a
 * wrong mapping. */
bool check_percpu_kstacks(void);
#endif

#endif /* !LAB2_PMAP_CHECK_H */
