#!/usr/bin/env python3
"""Make broken copies of a good user program, to test that the kernel's
ELF loader checks every field before trusting it (lab 3).

    mkbadelf.py GOOD_ELF OUTDIR

writes OUTDIR/badelf-NAME.strip for each kind of damage below.  The
kernel embeds them like any program; `run=badelf-magic` and friends
must each fail with a message, never a fault or a panic.
"""
import struct
import sys
from pathlib import Path

EHDR = "<4s12sHHIIIIIHHHHHH"        # struct Elf
PHDR = "<IIIIIIII"                  # struct Proghdr
PT_LOAD = 1


def program_headers(data):
    fields = struct.unpack_from(EHDR, data)
    phoff, phentsize, phnum = fields[6], fields[10], fields[11]
    return [(phoff + i * phentsize) for i in range(phnum)]


def first_load(data):
    for off in program_headers(data):
        if struct.unpack_from(PHDR, data, off)[0] == PT_LOAD:
            return off
    raise SystemExit("mkbadelf: no loadable segment in the good image")


def set_u32(data, offset, value):
    struct.pack_into("<I", data, offset, value & 0xFFFFFFFF)


def main():
    good = bytearray(Path(sys.argv[1]).read_bytes())
    out = Path(sys.argv[2])
    load = first_load(good)
    bad = {}

    copy = bytearray(good)
    copy[0:4] = b"\x7fELG"
    bad["magic"] = copy

    bad["truncated"] = bytearray(good[:len(good) // 2])

    copy = bytearray(good)
    set_u32(copy, 28, 0xFFFFFF00)           # e_phoff far outside
    bad["phdrs"] = copy

    copy = bytearray(good)
    set_u32(copy, load + 4, 0xFFFFF000)     # p_offset: past the end, wraps
    bad["segment"] = copy

    copy = bytearray(good)
    set_u32(copy, load + 8, 0xF0100000)     # p_va: in the kernel
    bad["utop"] = copy

    copy = bytearray(good)
    set_u32(copy, 24, 0xDEADBEEF)           # e_entry: in no segment
    bad["entry"] = copy

    for name, data in bad.items():
        (out / f"badelf-{name}.strip").write_bytes(bytes(data))


if __name__ == "__main__":
    main()
