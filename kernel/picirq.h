/*
 * The two 8259A interrupt controllers (kernel/picirq.c).
 */
#ifndef KERNEL_PICIRQ_H
#define KERNEL_PICIRQ_H

#include <inc/types.h>

/* IRQ lines 0-7 are the master's, 8-15 the slave's, which reaches the
 * CPU through the master's line 2. */
#define IRQ_CASCADE 2

void pic_init(void);
void pic_mask(int irq);
void pic_unmask(int irq);
void pic_eoi(int irq);
bool pic_spurious(int irq);
void irq_unexpected(int irq);

#endif /* !KERNEL_PICIRQ_H */
