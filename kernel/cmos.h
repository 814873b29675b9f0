/*
 * The PC's CMOS memory: a battery-backed clock chip (the MC146818) with
 * a few bytes of nonvolatile RAM, where the BIOS records, among other
 * things, how much memory the machine has.  Ports 0x70 (index) and
 * 0x71 (data).
 */
#ifndef KERNEL_CMOS_H
#define KERNEL_CMOS_H

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

/* NVRAM registers holding memory sizes in KiB, low byte first. */
#define NVRAM_BASELO  0x15 /* base memory (below 640 KiB) */
#define NVRAM_EXTLO   0x17 /* extended memory, 1 MiB to 16 MiB */
#define NVRAM_EXT16LO 0x34 /* above 16 MiB, in 64 KiB units */

unsigned cmos_read(unsigned reg);

#endif /* !KERNEL_CMOS_H */
