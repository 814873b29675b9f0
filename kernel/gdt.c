/* The global descriptor table and its loading (see kernel/gdt.h). */
#include <inc/memlayout.h>
#include <kernel/gdt.h>

struct Segdesc gdt[GDT_ENTRIES] = {
	/* 0x0: the null selector, which the CPU requires */
	SEG_NULL,
	/* 0x8 (GD_KT): kernel code */
	[GD_KT >> 3] = SEG(STA_X | STA_R, 0x0, 0xffffffff, 0),
	/* 0x10 (GD_KD): kernel data */
	[GD_KD >> 3] = SEG(STA_W, 0x0, 0xffffffff, 0),
	/* 0x18 (GD_UT): user code */
	[GD_UT >> 3] = SEG(STA_X | STA_R, 0x0, 0xffffffff, 3),
	/* 0x20 (GD_UD): user data */
	[GD_UD >> 3] = SEG(STA_W, 0x0, 0xffffffff, 3),
	/* 0x28 (GD_TSS0) and up: the TSSs, filled in by trap_init_percpu */
};

static struct Pseudodesc gdt_pd = { sizeof(gdt) - 1, (uint32_t) gdt };

void
gdt_init_percpu(void)
{
	asm volatile("lgdt (%0)" : : "r"(&gdt_pd));
	/* The kernel does not use GS or FS; user code may, with the
	 * user data segment. */
	asm volatile("movw %%ax,%%gs" : : "a"(GD_UD | 3));
	asm volatile("movw %%ax,%%fs" : : "a"(GD_UD | 3));
	asm volatile("movw %%ax,%%es" : : "a"(GD_KD));
	asm volatile("movw %%ax,%%ds" : : "a"(GD_KD));
	asm volatile("movw %%ax,%%ss" : : "a"(GD_KD));
	/* CS can only be reloaded by a far jump (or return). */
	asm volatile("ljmp %0,$1f\n 1:\n" : : "i"(GD_KT));
	/* No local descriptor table. */
	asm volatile("lldt %w0" : : "r"(0));
}
