/*
 * QEMU's firmware configuration device (fw_cfg): a way for QEMU to
 * hand the guest named blobs, such as `-fw_cfg name=opt/exolab/cmdline,
 * string=...`.  The kernel reads its command line there when no
 * Multiboot loader passed one.
 *
 * Reference: QEMU's docs/specs/fw_cfg.rst (the I/O port interface).
 */
#ifndef KERNEL_FWCFG_H
#define KERNEL_FWCFG_H

#include <inc/types.h>

/*
 * Copies the fw_cfg file `name` into buf (at most size - 1 bytes, then
 * a NUL).  Returns its length, or -1 if there is no fw_cfg device or no
 * such file.
 */
int fwcfg_read_file(const char *name, char *buf, size_t size);

#endif /* !KERNEL_FWCFG_H */
