#!/usr/bin/env python3
"""Checks a file system image (the format of lib/inc/fs.h) on the host.

    fsck.py IMAGE          prints each problem; exit status 1 if any
    fsck.py IMAGE PATH     prints the file at PATH (after checking)

What a clean image is: the superblock is right; the boot sector,
superblock and bitmap are marked used; every file and directory
reachable from the root has a terminated, unique name, a known type, a
size that fits, and exactly the blocks its size needs (no hole, nothing
past the end); every block is used once, by one file; and the bitmap
marks used exactly the blocks in use.

Also a module: the grader reads files back (Image.read) and checks
images after the tests that write (Image.problems).
"""
import os
import struct
import sys

# The on-disk format's constants have one home on the host: the image
# builder beside this file (lib/inc/fs.h is their home in C).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkfsimg import (BITMAPBLOCK, BLKBITSIZE, BLKSIZE, FILE_SIZE,  # noqa: E402
                     FS_MAGIC, FTYPE_DIR, FTYPE_REG, MAXFILESIZE, MAXNAMELEN,
                     NDIRECT, NINDIRECT, SUPERBLOCK)


class File:
    def __init__(self, raw: bytes, where: str):
        self.raw_name = raw[:MAXNAMELEN]
        self.size, self.type = struct.unpack_from("<iI", raw, MAXNAMELEN)
        self.direct = list(struct.unpack_from(f"<{NDIRECT}I", raw, MAXNAMELEN + 8))
        (self.indirect,) = struct.unpack_from("<I", raw, MAXNAMELEN + 8 + 4 * NDIRECT)
        self.where = where

    @property
    def terminated(self) -> bool:
        return 0 in self.raw_name

    @property
    def name(self) -> str:
        return self.raw_name.split(b"\0", 1)[0].decode(errors="replace")


class Image:
    def __init__(self, data: bytes):
        self.data = data
        self.problems_found = []

    @classmethod
    def open(cls, path) -> "Image":
        with open(path, "rb") as f:
            return cls(f.read())

    def block(self, b: int) -> bytes:
        return self.data[b * BLKSIZE:(b + 1) * BLKSIZE]

    def problem(self, text: str) -> None:
        self.problems_found.append(text)

    # -- the superblock and bitmap -------------------------------------

    def super(self):
        if len(self.data) < 3 * BLKSIZE:
            raise ValueError(f"the image has {len(self.data)} bytes")
        magic, nblocks = struct.unpack_from("<II", self.data, SUPERBLOCK * BLKSIZE)
        root = File(self.data[SUPERBLOCK * BLKSIZE + 8:SUPERBLOCK * BLKSIZE + 8 + FILE_SIZE],
                    "the superblock")
        return magic, nblocks, root

    def is_free(self, b: int) -> bool:
        byte = self.data[BITMAPBLOCK * BLKSIZE + b // 8]
        return bool(byte & (1 << (b % 8)))

    # -- files ---------------------------------------------------------

    def file_blocks(self, f: File, nblocks: int, first_data: int):
        """f's data blocks in order (checking them), or None if unusable."""
        n = (max(f.size, 0) + BLKSIZE - 1) // BLKSIZE
        blocks, ok = [], True

        def valid(b, what):
            nonlocal ok
            if not first_data <= b < nblocks:
                self.problem(f"{f.where}: {what} is block {b}, outside the data "
                             f"area [{first_data}, {nblocks})")
                ok = False
                return False
            return True

        if n <= NDIRECT and f.indirect != 0:
            self.problem(f"{f.where}: an indirect block ({f.indirect}) it does not need")
            ok = False
        # Block i of the file, for every i: the direct blocks, then the
        # indirect block's entries.
        pointers = list(f.direct)
        if f.indirect != 0 and valid(f.indirect, "the indirect block"):
            self.indirects.append((f.indirect, f.where))
            pointers += struct.unpack(f"<{NINDIRECT}I", self.block(f.indirect))
        for i, b in enumerate(pointers):
            if i < n and b == 0:
                self.problem(f"{f.where}: block {i} missing inside size {f.size}")
                ok = False
            elif i >= n and b != 0:
                self.problem(f"{f.where}: block {i} ({b}) past the end of size {f.size}")
                ok = False
            elif b != 0 and valid(b, f"block {i}"):
                blocks.append(b)
        if n > NDIRECT and f.indirect == 0:
            self.problem(f"{f.where}: size {f.size} needs an indirect block; there is none")
            return None
        return blocks if ok else None

    def check_file(self, f: File, nblocks, first_data):
        if not f.terminated:
            self.problem(f"{f.where}: a name without a terminating NUL")
            return None
        if f.type not in (FTYPE_REG, FTYPE_DIR):
            self.problem(f"{f.where}: type {f.type}")
            return None
        if not 0 <= f.size <= MAXFILESIZE:
            self.problem(f"{f.where}: size {f.size}")
            return None
        if f.type == FTYPE_DIR and f.size % BLKSIZE:
            self.problem(f"{f.where}: a directory of {f.size} bytes, not whole blocks")
            return None
        return self.file_blocks(f, nblocks, first_data)

    def entries(self, blocks, where):
        for k, b in enumerate(blocks):
            raw = self.block(b)
            for j in range(BLKSIZE // FILE_SIZE):
                entry = raw[j * FILE_SIZE:(j + 1) * FILE_SIZE]
                if entry[0] != 0:
                    yield File(entry, f"{where} entry {k * (BLKSIZE // FILE_SIZE) + j}")

    # -- the whole check -------------------------------------------------

    def check(self):
        """Returns (problems, {path: File}) for the whole image."""
        self.problems_found, self.indirects, files = [], [], {}
        try:
            magic, nblocks, root = self.super()
        except ValueError as e:
            return [str(e)], files
        if magic != FS_MAGIC:
            return [f"bad magic {magic:#x} (want {FS_MAGIC:#x})"], files
        if not BITMAPBLOCK < nblocks <= len(self.data) // BLKSIZE:
            return [f"the superblock says {nblocks} blocks; the image has "
                    f"{len(self.data) // BLKSIZE}"], files
        nbitmap = (nblocks + BLKBITSIZE - 1) // BLKBITSIZE
        first_data = BITMAPBLOCK + nbitmap
        for b in range(first_data):
            if self.is_free(b):
                self.problem(f"block {b} (boot, superblock or bitmap) is marked free")
        owner = {}

        def claim(b, who):
            if b in owner:
                self.problem(f"block {b} is used twice: by {owner[b]} and by {who}")
            else:
                owner[b] = who
            if self.is_free(b):
                self.problem(f"block {b}, used by {who}, is marked free")

        pending = [("/", root)]
        root.where = "the root directory"
        if root.type != FTYPE_DIR:
            self.problem("the root is not a directory")
            pending = []
        while pending:
            path, f = pending.pop()
            files[path] = f
            blocks = self.check_file(f, nblocks, first_data)
            if blocks is None:
                continue
            for b in blocks:
                claim(b, path)
            if f.type == FTYPE_DIR:
                seen = set()
                for entry in self.entries(blocks, path):
                    if not entry.terminated:
                        self.problem(f"{entry.where}: a name without a terminating NUL")
                        continue
                    if entry.name in seen or "/" in entry.name:
                        self.problem(f"{entry.where}: duplicate or bad name {entry.name!r}")
                    seen.add(entry.name)
                    child = path.rstrip("/") + "/" + entry.name
                    entry.where = child
                    pending.append((child, entry))
        for b, who in self.indirects:
            claim(b, f"{who} (indirect block)")
        for b in range(first_data, nblocks):
            if not self.is_free(b) and b not in owner:
                self.problem(f"block {b} is marked used, but no file uses it")
        return self.problems_found, files

    def problems(self):
        return self.check()[0]

    def read(self, path: str) -> bytes:
        """The contents of the file at path (KeyError if none)."""
        _, files = self.check()
        f = files[path if path.startswith("/") else "/" + path]
        saved = self.problems_found
        blocks = self.file_blocks(f, len(self.data) // BLKSIZE, 0) or []
        self.problems_found = saved
        return b"".join(self.block(b) for b in blocks)[:f.size]

    def listing(self):
        return sorted(self.check()[1])


def main(argv) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    image = Image.open(argv[1])
    problems = image.problems()
    for p in problems:
        print(f"fsck: {p}", file=sys.stderr)
    if len(argv) == 3:
        sys.stdout.buffer.write(image.read(argv[2]))
    elif not problems:
        print(f"fsck: {argv[1]}: clean, {len(image.listing())} files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
