/*
 * Reading a file from QEMU's fw_cfg device through its two I/O ports:
 * write a 16-bit key to the selector port, then read the item's bytes
 * one at a time from the data port.  Multi-byte numbers in the file
 * directory are big-endian.
 */
#include <inc/x86.h>
#include <inc/string.h>
#include <kernel/fwcfg.h>

#define FW_CFG_PORT_SEL	 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000 /* reads "QEMU" */
#define FW_CFG_FILE_DIR	 0x0019 /* the directory of named files */

/* One directory entry, as it arrives (numbers big-endian). */
struct fwcfg_file {
	uint32_t size;
	uint16_t select;
	uint16_t reserved;
	char name[56];
};

static void
read_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n-- > 0)
		*p++ = inb(FW_CFG_PORT_DATA);
}

static uint32_t
be32(uint32_t x)
{
	return (x >> 24) | ((x >> 8) & 0xFF00) | ((x << 8) & 0xFF0000) |
	       (x << 24);
}

static uint16_t
be16(uint16_t x)
{
	return (x >> 8) | (x << 8);
}

int
fwcfg_read_file(const char *name, char *buf, size_t size)
{
	char signature[4];
	uint32_t count;

	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	read_bytes(signature, sizeof(signature));
	if (memcmp(signature, "QEMU", 4) != 0)
		return -1; /* not QEMU, or no fw_cfg */

	outw(FW_CFG_PORT_SEL, FW_CFG_FILE_DIR);
	read_bytes(&count, sizeof(count));
	count = be32(count);
	for (uint32_t i = 0; i < count; i++) {
		struct fwcfg_file file;

		read_bytes(&file, sizeof(file));
		file.name[sizeof(file.name) - 1] = '\0';
		if (strcmp(file.name, name) != 0)
			continue;
		uint32_t len = MIN(be32(file.size), (uint32_t) size - 1);
		outw(FW_CFG_PORT_SEL, be16(file.select));
		read_bytes(buf, len);
		buf[len] = '\0';
		return len;
	}
	return -1;
}
