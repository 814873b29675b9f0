#!/usr/bin/env python3
"""Make broken copies of a good user program, to test that the kernel's
ELF loader (lab 3) and spawn (lab 5) check every field before trusting
it.

    mkbadelf.py GOOD_ELF OUTDIR

writes OUTDIR/badelf-NAME.strip for each kind of damage below.  The
kernel embeds them like any program, and they are on lab 5's disk:
`run=badelf-magic` and friends, and spawn of /badelf-magic..., must each
fail with a message or an error, never a fault or a panic.
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


def loads(data):
    """The offsets of the program headers of loadable segments."""
    found = [off for off in program_headers(data)
             if struct.unpack_from(PHDR, data, off)[0] == PT_LOAD]
    if not found:
        raise SystemExit("mkbadelf: no loadable segment in the good image")
    return found


def set_u32(data, offset, value):
    struct.pack_into("<I", data, offset, value & 0xFFFFFFFF)


def main():
    good = bytearray(Path(sys.argv[1]).read_bytes())
    out = Path(sys.argv[2])
    load = loads(good)[0]
    # The segment with the most bytes in the file (the text).
    biggest = max(loads(good), key=lambda off: struct.unpack_from(PHDR, good, off)[4])
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

    bad["header"] = bytearray(good[:40])   # shorter than struct Elf

    copy = bytearray(good)
    struct.pack_into("<H", copy, 44, 0xFFFF)  # e_phnum: far too many
    bad["phnum"] = copy

    copy = bytearray(good)
    memsz = struct.unpack_from(PHDR, copy, load)[5]
    set_u32(copy, load + 16, memsz + 1)     # p_filesz > p_memsz
    bad["filesz"] = copy

    copy = bytearray(good)
    filesz = struct.unpack_from(PHDR, copy, biggest)[4]
    # p_offset: the segment's second half lies past the end of the file
    # (no wrap-around: a loader that trusts it reads short).
    set_u32(copy, biggest + 4, len(copy) - filesz // 2)
    bad["pastend"] = copy

    for name, data in bad.items():
        (out / f"badelf-{name}.strip").write_bytes(bytes(data))


if __name__ == "__main__":
    main()
