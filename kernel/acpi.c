/*
 * Finding the CPUs through ACPI (lab 4): the firmware's Multiple APIC
 * Description Table (MADT) lists every processor's local APIC, the
 * I/O APICs and where their registers are.
 *
 * The path to it, all in physical memory the BIOS set up:
 *   RSDP  "RSD PTR ", on a 16-byte boundary in the first KiB of the
 *         extended BIOS data area or in the BIOS ROM (0xE0000-0xFFFFF);
 *         it points to the RSDT (32-bit table addresses) and, from ACPI
 *         2.0 on, to the XSDT (64-bit addresses);
 *   RSDT/XSDT  a header and an array of table addresses;
 *   MADT  the table whose signature is "APIC".
 * Every structure is checksummed (its bytes add up to 0 mod 256) and
 * carries its length: we check both before believing anything in it,
 * because a wrong table must cost a warning, not a crash.
 *
 * Why not only the older Intel MP tables (kernel/mptable.c)?  QEMU's
 * BIOS lists one MP-table CPU per socket, and `-smp 4` means one socket
 * with four cores; only the MADT lists all four.
 * Reference: ACPI specification 6.5, sections 5.2.5-5.2.12.
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/cpu.h>
#include <kernel/memdetect.h>

struct rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision; /* 0: ACPI 1.0; 2: 2.0 and later */
	uint32_t rsdt_address;
	/* ACPI 2.0 and later: */
	uint32_t length; /* of this whole structure */
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* over `length` bytes */
	uint8_t reserved[3];
} __attribute__((packed));

/* The header every system description table starts with. */
struct sdt_header {
	char signature[4];
	uint32_t length; /* of the table, header included */
	uint8_t revision;
	uint8_t checksum; /* over `length` bytes */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

struct madt {
	struct sdt_header header; /* signature "APIC" */
	uint32_t lapic_address;
	uint32_t flags;
	/* then variable-length entries, each starting with these two: */
} __attribute__((packed));

struct madt_entry {
	uint8_t type;
	uint8_t length;
} __attribute__((packed));

enum {
	MADT_LAPIC = 0, /* a processor and its local APIC */
	MADT_IOAPIC = 1,
	MADT_LAPIC_ADDRESS = 5, /* a 64-bit lapic_address */
};

struct madt_lapic {
	struct madt_entry entry;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags; /* bit 0: enabled */
} __attribute__((packed));

struct madt_ioapic {
	struct madt_entry entry;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));

struct madt_lapic_address {
	struct madt_entry entry;
	uint16_t reserved;
	uint64_t address;
} __attribute__((packed));

/* Whether the RSDP at p (room bytes from the end of the area searched)
 * checks out: its checksum, and from ACPI 2.0 on its length and
 * extended checksum. */
static bool
rsdp_valid(const void *p, size_t room)
{
	const struct rsdp *r = p;
	unsigned pa = (uintptr_t) p - KERNBASE;

	if (room < 20 || !bytes_sum_to_zero(r, 20)) {
		cprintf("ACPI: RSDP at %08x has a bad checksum\n", pa);
		return false;
	}
	if (r->revision >= 2 &&
	    (room < sizeof(*r) || r->length < sizeof(*r) || r->length > room ||
	     !bytes_sum_to_zero(r, r->length))) {
		cprintf("ACPI: RSDP at %08x: bad ACPI 2.0 length or checksum\n",
			pa);
		return false;
	}
	return true;
}

/* The table at pa, once its header, length and checksum check out;
 * NULL (with a message) otherwise. */
static const struct sdt_header *
sdt_map(uint64_t pa, const char *what)
{
	const struct sdt_header *h;

	if (pa >= (uint64_t) MAX_PHYSICAL_MEMORY ||
	    (h = firmware_table(pa, sizeof(*h))) == NULL) {
		cprintf("ACPI: %s at %llx is beyond what the kernel maps\n",
			what, (unsigned long long) pa);
		return NULL;
	}
	if (h->length < sizeof(*h) || firmware_table(pa, h->length) == NULL) {
		cprintf("ACPI: %s at %llx has a bad length %u\n", what,
			(unsigned long long) pa, h->length);
		return NULL;
	}
	if (!bytes_sum_to_zero(h, h->length)) {
		cprintf("ACPI: %s at %llx has a bad checksum\n", what,
			(unsigned long long) pa);
		return NULL;
	}
	return h;
}

/* Finds the MADT through the XSDT (preferred) or the RSDT. */
static const struct madt *
madt_find(const struct rsdp *r)
{
	bool xsdt = r->revision >= 2 && r->xsdt_address != 0;
	const struct sdt_header *root =
		xsdt ? sdt_map(r->xsdt_address, "XSDT") : NULL;

	if (root == NULL || memcmp(root->signature, "XSDT", 4) != 0) {
		xsdt = false;
		if ((root = sdt_map(r->rsdt_address, "RSDT")) == NULL)
			return NULL;
		if (memcmp(root->signature, "RSDT", 4) != 0) {
			cprintf("ACPI: the RSDT has the wrong signature\n");
			return NULL;
		}
	}
	size_t entry_size = xsdt ? 8 : 4;
	size_t n = (root->length - sizeof(*root)) / entry_size;
	const uint8_t *entries = (const uint8_t *) (root + 1);
	for (size_t i = 0; i < n; i++) {
		uint64_t pa = 0;
		memcpy(&pa, entries + i * entry_size, entry_size);
		const struct sdt_header *h = sdt_map(pa, "a table");
		if (h != NULL && memcmp(h->signature, "APIC", 4) == 0 &&
		    h->length >= sizeof(struct madt))
			return (const struct madt *) h;
	}
	cprintf("ACPI: no MADT\n");
	return NULL;
}

bool
acpi_find_cpus(void)
{
	const struct rsdp *r = firmware_search("RSD PTR ", rsdp_valid);
	const struct madt *madt;

	if (r == NULL) {
		cprintf("ACPI: no RSDP found\n");
		return false;
	}
	if ((madt = madt_find(r)) == NULL)
		return false;

	physaddr_t lapic_pa = madt->lapic_address;
	physaddr_t ioapic_pa = 0;
	const uint8_t *p = (const uint8_t *) (madt + 1);
	const uint8_t *end = (const uint8_t *) madt + madt->header.length;

	/* Each entry's length must cover at least its own header and
	 * stay inside the table; a zero length would loop forever. */
	while (p + sizeof(struct madt_entry) <= end) {
		const struct madt_entry *e = (const void *) p;
		if (e->length < sizeof(*e) || p + e->length > end) {
			cprintf("ACPI: MADT entry at offset %u has a bad "
				"length %u\n",
				(unsigned) (p - (const uint8_t *) madt),
				e->length);
			ncpu = 0;
			return false;
		}
		if (e->type == MADT_LAPIC &&
		    e->length >= sizeof(struct madt_lapic)) {
			const struct madt_lapic *l = (const void *) e;
			if (l->flags & 1)
				cpu_add(l->apic_id);
		} else if (e->type == MADT_IOAPIC &&
			   e->length >= sizeof(struct madt_ioapic)) {
			const struct madt_ioapic *io = (const void *) e;
			if (ioapic_pa == 0)
				ioapic_pa = io->address;
		} else if (e->type == MADT_LAPIC_ADDRESS &&
			   e->length >= sizeof(struct madt_lapic_address)) {
			const struct madt_lapic_address *a = (const void *) e;
			if (a->address < 0x100000000ULL)
				lapic_pa = a->address;
		}
		p += e->length;
	}
	if (ncpu == 0) {
		cprintf("ACPI: the MADT lists no enabled CPU\n");
		return false;
	}
	lapic_paddr = lapic_pa;
	ioapic_paddr = ioapic_pa;
	return true;
}
