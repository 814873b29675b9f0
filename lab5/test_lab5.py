"""Lab 5: the file server in user space, files through file
descriptors, spawn, pipes and the shell.

Every test that boots the file server gives it a private, writable
copy of the built disk image (gradelib.fresh_disk): the second IDE
disk.  What could be printed without being done is checked on that
disk afterwards: the host fsck (user/fs/fsck.py) must find it clean
after any test that writes, and files a program wrote are read back
from the image itself, with contents chosen at grading time.
"""
import random
import re
import struct

import pytest

from gradelib import Qemu, build, fresh_disk, fsck, points, read_file, run_kernel
from gradelib.fsimage import image_builder

NO_PANIC = [r".*kernel panic.*"]
NO_USER_PANIC = NO_PANIC + [r".*user panic.*"]
DONE = r"No runnable environments in the system!"
PROMPT = r"K> "

FS_SELF_CHECKS = [r"FS is running", r"FS can do I/O", r"block cache is good",
                  r"superblock is good", r"bitmap is good", r"alloc_block is good",
                  r"file_open is good", r"file_get_block is good"]


def run_fs(name, program, disk, **options):
    """Boots with the file server and `program` side by side on disk;
    returns the output once nothing is left to run."""
    return run_kernel(f"lab5-{name}", (), program=f"fs+{program}", disk=disk,
                      **options)


def expect_clean(output, disk):
    problems = fsck(disk)
    if problems:
        output.fail("the host fsck finds the disk image broken after the run:\n    "
                    + "\n    ".join(problems[:8]))


def token():
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                   for _ in range(16))


# ---------------------------------------------------------------- fs

@points(10, part="fs")
def test_fs_self_checks(tmp_path):
    """The file server starts with I/O privilege, mounts the disk through
    its self-paging block cache and passes its self-checks; those leave
    the disk exactly as they found it."""
    disk = fresh_disk(tmp_path)
    before = disk.read_bytes()
    output = run_kernel("lab5-fs-self-checks", (), program="fs", disk=disk)
    output.expect(*FS_SELF_CHECKS, DONE, no=NO_USER_PANIC)
    if disk.read_bytes() != before:
        output.fail("the self-checks changed the disk image (they must leave it "
                    "as they found it)")


@points(20, part="fs")
def test_testfile(tmp_path):
    """testfile: the FSREQ_* protocol by hand (open, stat, read, flush,
    a stale file id refused), then open/read/write/ftruncate/remove
    through file descriptors, then a file past the direct blocks.  The
    disk afterwards is clean and holds what testfile wrote."""
    disk = fresh_disk(tmp_path)
    word = token()
    output = run_fs("testfile", f"testfile:{word}", disk)
    output.expect(*FS_SELF_CHECKS[2:], r"serve_open is good", r"file_stat is good",
                  r"file_read is good", r"file_close is good", r"stale fileid is good",
                  r"open and read are good", r"file_write is good", r"remove is good",
                  r"large file is good", r"testfile: all done", DONE,
                  no=NO_USER_PANIC)
    expect_clean(output, disk)
    if read_file(disk, "/testfile-token").decode(errors="replace") != word:
        output.fail(f"/testfile-token on the disk does not hold {word!r}, "
                    f"the word testfile was given")
    big = read_file(disk, "/testfile-big")
    expected = b"".join(struct.pack("<1024I", *(b * 0x10000 + i for i in range(1024)))
                        for b in range(50))
    if big != expected:
        output.fail("/testfile-big on the disk is not the 50 blocks testfile wrote")


@points(10, part="fs")
def test_only_the_file_server_has_io_privilege(tmp_path):
    """Only the file server's environment may use in/out: a client's inb
    faults and destroys it (the file server, not the client, drives the
    disk)."""
    disk = fresh_disk(tmp_path)
    output = run_fs("iopl", "fshostile:7:20", disk)
    output.expect(r"hostile: now inb from the disk's status port",
                  r"  trap 0x0000000d General Protection", DONE,
                  no=NO_PANIC + [r"hostile: inb worked.*", r".*user panic in fs.*"])


@points(10, part="fs")
def test_files_survive_sync_and_reboot(tmp_path):
    """A file written and synced is there after the machine is switched
    off and booted again on the same disk."""
    disk = fresh_disk(tmp_path)
    word = token()
    with Qemu("lab5-reboot-write", program=f"fs+fsrw:write:/reboot-file:{word}",
              disk=disk) as qemu:
        qemu.wait_for(r"fsrw: wrote /reboot-file and synced|" + PROMPT)
    first = qemu.stop()
    first.expect(r"fsrw: wrote /reboot-file and synced", no=NO_USER_PANIC)
    output = run_fs("reboot-read", "fsrw:read:/reboot-file", disk)
    output.expect(r"superblock is good", r"fsrw: /reboot-file: <<%s>>" % word, DONE,
                  no=NO_USER_PANIC)
    expect_clean(output, disk)


@points(15, part="fs")
def test_hostile_client(tmp_path):
    """A client sending random FSREQ_* requests (bad and stale ids, huge
    sizes and offsets, paths without a NUL, no page, a read-only page, a
    reply it never waits for) gets errors; the server keeps serving and
    the disk stays clean."""
    disk = fresh_disk(tmp_path)
    seed = random.randrange(1, 1 << 30)
    output = run_fs("hostile", f"fshostile:{seed}+fsrw:read:/motd", disk,
                    timeout=60)
    output.expect(r"hostile: sent 1500 random requests",
                  r"hostile: the server still serves \(after the random requests\)",
                  r"hostile: the server still serves \(after a reply nobody took\)",
                  DONE, no=NO_USER_PANIC)
    output.expect(r"fsrw: /motd: <<This is /motd.*", no=NO_USER_PANIC)
    expect_clean(output, disk)


@points(5, part="fs")
def test_cache_evicts_when_memory_is_short(tmp_path):
    """With 8 MiB of memory, a 4 MiB file is written, read back word by
    word and removed: the block cache gives back clean blocks (writing
    dirty ones first) when the kernel has no page left, and loses
    nothing."""
    disk = fresh_disk(tmp_path)
    output = run_fs("evict", "fsrw:big:4", disk, memory=8, timeout=60)
    output.expect(r"fsrw: wrote and read back 4 MiB", DONE, no=NO_USER_PANIC)
    expect_clean(output, disk)


@points(3, part="fs")
def test_no_disk(tmp_path):
    """Without its disk the file server says so and refuses requests: no
    endless wait on a drive that is not there."""
    output = run_kernel("lab5-no-disk", (), program="fs+fsrw:read:/motd")
    output.expect(r"fs: cannot mount: there is no disk 1.*",
                  r"fsrw: open /motd: invalid parameter", DONE, no=NO_USER_PANIC)


MOTD = b"This is /motd on a disk the grader made.\n"


def corrupt_image(tmp_path, change):
    """A small image (motd, a file with an indirect block, big), with
    change(data, layout) applied; layout gives byte offsets."""
    image = image_builder()(256)
    image.add_file("motd", MOTD)
    image.add_file("big", bytes(range(256)) * 16 * 12)
    data = bytearray(image.finish())
    sb = 4096
    root = sb + 8
    (root_block,) = struct.unpack_from("<I", data, root + 136)
    layout = {"super": sb, "root": root, "motd": root_block * 4096,
              "big": root_block * 4096 + 256}
    change(data, layout)
    path = tmp_path / "fs.img"
    path.write_bytes(bytes(data))
    return path


def put(data, offset, fmt, *values):
    struct.pack_into(fmt, data, offset, *values)


CORRUPTIONS = {
    "bad-magic": (lambda d, l: put(d, l["super"], "<I", 0xDEADBEEF),
                  r"fs: corrupt file system: bad magic deadbeef.*"),
    "nblocks-past-disk": (lambda d, l: put(d, l["super"] + 4, "<I", 1 << 20),
                          r"fs: corrupt file system: the superblock says 1048576 blocks.*"),
    "block-out-of-range": (lambda d, l: put(d, l["motd"] + 136, "<I", 0x7FFFFFFF),
                           r"fs: corrupt file system: file 'motd': block 0 is disk "
                           r"block 2147483647.*"),
    "directory-in-bitmap": (lambda d, l: put(d, l["root"] + 136, "<I", 2),
                            r"fs: corrupt file system: file '/': block 0 is disk block 2.*"),
    "size-past-blocks": (lambda d, l: put(d, l["motd"] + 128, "<i", 3 * 4096),
                         r"fs: corrupt file system: file 'motd': block 1 missing.*"),
    "name-unterminated": (lambda d, l: d.__setitem__(slice(l["motd"], l["motd"] + 128),
                                                     b"m" * 128),
                          r"fs: corrupt file system: a file name has no terminating NUL"),
    "indirect-out-of-range": (lambda d, l: put(d, l["big"] + 176, "<I", 300),
                              r"fs: corrupt file system: file 'big': indirect block 300.*"),
}


@points(2, part="fs")
@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_corrupt_image(tmp_path, kind):
    """A corrupt disk (bad magic, block numbers out of range, a
    directory in the bitmap, a size past a file's blocks, a name with no
    end) makes the server say what is wrong and refuse: the client gets
    an error, the server neither crashes nor writes to the disk."""
    change, message = CORRUPTIONS[kind]
    disk = corrupt_image(tmp_path, change)
    before = disk.read_bytes()
    path = "/big" if "indirect" in kind else "/motd"
    output = run_fs(f"corrupt-{kind}", f"fsrw:read:{path}+fsrw:read:{path}", disk)
    output.expect(message, r"fsrw: (open|read) %s: invalid parameter" % path, DONE,
                  no=NO_USER_PANIC)
    if disk.read_bytes() != before:
        output.fail("the file server wrote to the corrupt disk")


@points(5, part="fs")
def test_killed_in_the_middle_of_writes(tmp_path):
    """QEMU killed while a program writes and removes files: the next
    boot on that disk either mounts and serves, or refuses with a clear
    message; the server never crashes on what it finds."""
    disk = fresh_disk(tmp_path)
    with Qemu("lab5-crash-write", program="fs+fsrw:stress", disk=disk) as qemu:
        qemu.wait_for(r"fsrw: stress round %d|%s" % (random.randrange(4, 12), PROMPT))
    first = qemu.stop()
    first.expect(r"fsrw: stress round \d+", no=NO_USER_PANIC)
    output = run_fs("crash-read", "fsrw:read:/motd", disk)
    output.expect(r"FS is running", DONE, no=NO_USER_PANIC)
    if output.find(r"fs: cannot mount disk 1: .*") < 0:
        output.expect(r"superblock is good", r"fsrw: /motd: <<This is /motd.*")
