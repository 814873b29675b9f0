/*
 * Finding the CPUs through the Intel MultiProcessor Specification's
 * tables (lab 4): the fallback when there is no usable ACPI MADT
 * (kernel/acpi.c).
 *
 *   MP floating pointer  "_MP_", on a 16-byte boundary in the first KiB
 *                        of the EBDA, the last KiB of base memory, or
 *                        the BIOS ROM (0xF0000-0xFFFFF); it points to
 *   the configuration table  "PCMP", a header and then one entry per
 *                        processor, bus, I/O APIC and interrupt.
 * Both are checksummed; we check that and every length first.
 * Reference: Intel MultiProcessor Specification 1.4, chapter 4.
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/cpu.h>

struct mp_floating {
	char signature[4];	 /* "_MP_" */
	uint32_t config_address; /* the configuration table */
	uint8_t length;		 /* in 16-byte units: 1 */
	uint8_t spec_rev;
	uint8_t checksum; /* over length * 16 bytes */
	uint8_t type;	  /* non-zero: a default configuration,
			     with no table (not supported) */
	uint8_t features[4];
} __attribute__((packed));

struct mp_config {
	char signature[4]; /* "PCMP" */
	uint16_t length;   /* of the base table, header included */
	uint8_t spec_rev;
	uint8_t checksum;
	char oem_id[8];
	char product_id[12];
	uint32_t oem_table;
	uint16_t oem_table_length;
	uint16_t entry_count;
	uint32_t lapic_address;
	uint16_t extended_length;
	uint8_t extended_checksum;
	uint8_t reserved;
} __attribute__((packed));

enum {
	MP_PROCESSOR = 0, /* 20 bytes */
	MP_BUS = 1,	  /* the others: 8 bytes */
	MP_IOAPIC = 2,
	MP_IOINTR = 3,
	MP_LINTR = 4,
};

struct mp_processor {
	uint8_t type;
	uint8_t apic_id;
	uint8_t apic_version;
	uint8_t flags; /* bit 0: enabled; bit 1: boot CPU */
	uint8_t signature[4];
	uint32_t features;
	uint8_t reserved[8];
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type;
	uint8_t apic_id;
	uint8_t apic_version;
	uint8_t flags; /* bit 0: enabled */
	uint32_t address;
} __attribute__((packed));

static bool
mp_valid(const void *p, size_t room)
{
	const struct mp_floating *f = p;

	return room >= sizeof(*f) && f->length == 1 && bytes_sum_to_zero(f, 16);
}

bool
mptable_find_cpus(void)
{
	const struct mp_floating *f = firmware_search("_MP_", mp_valid);
	const struct mp_config *conf;

	if (f == NULL) {
		cprintf("MP: no MP floating pointer found\n");
		return false;
	}
	if (f->config_address == 0 || f->type != 0) {
		cprintf("MP: default configurations are not supported\n");
		return false;
	}
	conf = firmware_table(f->config_address, sizeof(*conf));
	if (conf == NULL || memcmp(conf->signature, "PCMP", 4) != 0 ||
	    conf->length < sizeof(*conf) ||
	    firmware_table(f->config_address, conf->length) == NULL ||
	    !bytes_sum_to_zero(conf, conf->length)) {
		cprintf("MP: the configuration table is missing or corrupt\n");
		return false;
	}

	physaddr_t ioapic_pa = 0;
	const uint8_t *p = (const uint8_t *) (conf + 1);
	const uint8_t *end = (const uint8_t *) conf + conf->length;
	for (int i = 0; i < conf->entry_count; i++) {
		size_t size = (p < end && *p == MP_PROCESSOR)
				      ? sizeof(struct mp_processor)
				      : 8;
		if (p + size > end || *p > MP_LINTR) {
			cprintf("MP: configuration entry %d is corrupt\n", i);
			ncpu = 0;
			return false;
		}
		if (*p == MP_PROCESSOR) {
			const struct mp_processor *proc = (const void *) p;
			if (proc->flags & 1)
				cpu_add(proc->apic_id);
		} else if (*p == MP_IOAPIC) {
			const struct mp_ioapic *io = (const void *) p;
			if ((io->flags & 1) && ioapic_pa == 0)
				ioapic_pa = io->address;
		}
		p += size;
	}
	if (ncpu == 0) {
		cprintf("MP: the configuration table lists no enabled CPU\n");
		return false;
	}
	lapic_paddr = conf->lapic_address;
	ioapic_paddr = ioapic_pa;
	return true;
}
