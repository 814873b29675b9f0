"""The lab 5 host tools: user/fs/mkfsimg.py builds an image, and
user/fs/fsck.py checks it and reads files back (gradelib.fsimage)."""
import struct

from gradelib import fsimage

BLKSIZE = 4096


def build(tmp_path, files, nblocks=128, change=None):
    image = fsimage.image_builder()(nblocks)
    for name, content in files.items():
        image.add_file(name, content)
    data = bytearray(image.finish())
    if change:
        change(data)
    path = tmp_path / "fs.img"
    path.write_bytes(bytes(data))
    return path


def root_entry(data, index):
    """Byte offset of the root directory's entry `index`."""
    (block,) = struct.unpack_from("<I", data, BLKSIZE + 8 + 136)
    return block * BLKSIZE + index * 256


def test_a_built_image_is_clean_and_reads_back(tmp_path):
    big = bytes(range(256)) * 16 * 30        # needs the indirect block
    path = build(tmp_path, {"a": b"hello\n", "empty": b"", "big": big})
    assert fsimage.fsck(path) == []
    assert fsimage.read_file(path, "/a") == b"hello\n"
    assert fsimage.read_file(path, "/empty") == b""
    assert fsimage.read_file(path, "big") == big


def test_fsck_finds_a_block_used_twice(tmp_path):
    def change(data):
        first = root_entry(data, 0)
        (block,) = struct.unpack_from("<I", data, first + 136)
        struct.pack_into("<I", data, root_entry(data, 1) + 136, block)
    path = build(tmp_path, {"a": b"x" * 10, "b": b"y" * 10}, change=change)
    problems = fsck_text(path)
    assert "used twice" in problems and "no file uses it" in problems


def test_fsck_finds_a_size_past_the_blocks(tmp_path):
    def change(data):
        struct.pack_into("<i", data, root_entry(data, 0) + 128, 3 * BLKSIZE)
    assert "missing inside size" in fsck_text(build(tmp_path, {"a": b"x"}, change=change))


def test_fsck_finds_a_name_without_its_end(tmp_path):
    def change(data):
        offset = root_entry(data, 0)
        data[offset:offset + 128] = b"n" * 128
    assert "terminating NUL" in fsck_text(build(tmp_path, {"a": b"x"}, change=change))


def test_fsck_finds_a_bitmap_that_disagrees(tmp_path):
    def change(data):
        # The last block marked used though no file has it.
        data[2 * BLKSIZE + 127 // 8] &= ~(1 << (127 % 8))
    assert "no file uses it" in fsck_text(build(tmp_path, {"a": b"x"}, change=change))


def test_fsck_finds_a_bad_magic(tmp_path):
    def change(data):
        struct.pack_into("<I", data, BLKSIZE, 0x12345678)
    assert "bad magic" in fsck_text(build(tmp_path, {"a": b"x"}, change=change))


def fsck_text(path):
    problems = fsimage.fsck(path)
    assert problems, "fsck found nothing wrong"
    return "\n".join(problems)
