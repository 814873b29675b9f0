#!/usr/bin/env python3
"""Builds a file system image (the format of lib/inc/fs.h) on the host.

    mkfsimg.py IMAGE NBLOCKS [NAME=PATH | PATH]...

Each file goes into the root directory, under NAME or under PATH's
base name.  Also a module: the tests build images of their own (corrupt
ones too) with FsImage, and fsck.py takes the format's constants from
here, their one home on the host (lib/inc/fs.h is theirs in C).
"""
import os
import struct
import sys

BLKSIZE = 4096
BLKBITSIZE = BLKSIZE * 8
MAXNAMELEN = 128
NDIRECT = 10
NINDIRECT = BLKSIZE // 4
MAXFILESIZE = (NDIRECT + NINDIRECT) * BLKSIZE
FILE_SIZE = 256
FTYPE_REG, FTYPE_DIR = 0, 1
FS_MAGIC = 0x4A0530AE
SUPERBLOCK, BITMAPBLOCK = 1, 2


def pack_file(name: bytes, size: int, ftype: int, direct, indirect: int) -> bytes:
    """One struct File (256 bytes)."""
    direct = list(direct) + [0] * (NDIRECT - len(direct))
    raw = struct.pack(f"<{MAXNAMELEN}siI{NDIRECT}II", name, size, ftype,
                      *direct, indirect)
    return raw + bytes(FILE_SIZE - len(raw))


class FsImage:
    """An image being built in memory: allocate blocks, add files."""

    def __init__(self, nblocks: int):
        self.nblocks = nblocks
        self.nbitmap = (nblocks + BLKBITSIZE - 1) // BLKBITSIZE
        self.data = bytearray(nblocks * BLKSIZE)
        self.next_block = BITMAPBLOCK + self.nbitmap
        if self.next_block >= nblocks:
            raise ValueError(f"{nblocks} blocks leave no room for data")
        self.root = []          # (name, size, type, blocks)

    def alloc(self) -> int:
        if self.next_block >= self.nblocks:
            raise ValueError(f"the image is full ({self.nblocks} blocks)")
        self.next_block += 1
        return self.next_block - 1

    def write_block(self, blockno: int, content: bytes) -> None:
        assert len(content) <= BLKSIZE
        self.data[blockno * BLKSIZE:blockno * BLKSIZE + len(content)] = content

    def store(self, content: bytes):
        """content in fresh blocks: (direct list, indirect block or 0)."""
        if len(content) > MAXFILESIZE:
            raise ValueError(f"a file of {len(content)} bytes is too large")
        blocks = []
        for off in range(0, len(content), BLKSIZE):
            b = self.alloc()
            self.write_block(b, content[off:off + BLKSIZE])
            blocks.append(b)
        indirect = 0
        if len(blocks) > NDIRECT:
            indirect = self.alloc()
            self.write_block(indirect, struct.pack(f"<{len(blocks) - NDIRECT}I",
                                                   *blocks[NDIRECT:]))
        return blocks[:NDIRECT], indirect

    def add_file(self, name: str, content: bytes) -> None:
        encoded = name.encode()
        if not encoded or len(encoded) >= MAXNAMELEN or b"/" in encoded:
            raise ValueError(f"bad file name {name!r}")
        if any(entry[0] == encoded for entry in self.root):
            raise ValueError(f"two files called {name!r}")
        direct, indirect = self.store(content)
        self.root.append((encoded, len(content), FTYPE_REG, direct, indirect))

    def finish(self) -> bytes:
        """The image: root directory, superblock and bitmap written."""
        entries = b"".join(pack_file(n, s, t, d, i) for n, s, t, d, i in self.root)
        entries += bytes(-len(entries) % BLKSIZE)
        direct, indirect = self.store(entries)
        root = pack_file(b"/", len(entries), FTYPE_DIR, direct, indirect)
        self.write_block(SUPERBLOCK, struct.pack("<II", FS_MAGIC, self.nblocks) + root)
        # Bitmap: 1 = free.  Every block below next_block is in use.
        bits = bytearray(self.nbitmap * BLKSIZE)
        for b in range(self.next_block, self.nblocks):
            bits[b // 8] |= 1 << (b % 8)
        self.data[BITMAPBLOCK * BLKSIZE:(BITMAPBLOCK + self.nbitmap) * BLKSIZE] = bits
        return bytes(self.data)


def main(argv) -> int:
    if len(argv) < 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    image, nblocks = argv[1], int(argv[2])
    fs = FsImage(nblocks)
    for arg in argv[3:]:
        name, _, path = arg.rpartition("=")
        with open(path, "rb") as f:
            fs.add_file(name or os.path.basename(path), f.read())
    with open(image, "wb") as out:
        out.write(fs.finish())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
