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
import time

import pytest

from gradelib import (GdbStub, GradeFailure, Qemu, QemuMonitor, build, fresh_disk, fsck,
                      points, read_file, run_kernel, run_with_breakpoint, symbols)
from gradelib.fsimage import fs_format, fsck_module, image_builder

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

DISKMAP, BLKSIZE, USER_CS, FL_IOPL_3 = 0x10000000, 4096, 0x1B, 0x3000


def run_fs_watched(name, disk):
    """Boots the file server alone and stops it, through the gdb stub,
    when it first waits for a request (its sys_ipc_recv): the grader
    reads its CS and eflags and, from its address space, blocks 1 and 2
    (superblock, bitmap) where its block cache maps them.  Returns the
    output, with .seen: (cs, eflags, block 1, block 2), or None if it
    never got there."""
    stop = user_symbols("fs")["sys_ipc_recv"]
    seen = []

    def read_cache(stub, regs):
        blocks = []
        for block in (1, 2):
            try:
                blocks.append(stub.read_memory(DISKMAP + block * BLKSIZE, BLKSIZE))
            except GradeFailure:
                blocks.append(None)
        seen.append((regs["cs"], regs["eflags"], *blocks))

    output = run_with_breakpoint(f"lab5-{name}", stop, read_cache, 1, until=DONE + "|" + PROMPT,
                                 program="fs", disk=disk, timeout=30)
    output.seen = seen[0] if seen else None
    return output


@points(10, part="fs")
def test_fs_self_checks(tmp_path):
    """The file server starts with I/O privilege, mounts the disk through
    its self-paging block cache and passes its self-checks; those leave
    the disk exactly as they found it.  When it first waits for a
    request, the grader stops it (gdb stub): it runs in user mode with
    IOPL 3, and its cache holds the disk's superblock and bitmap blocks
    at DISKMAP."""
    disk = fresh_disk(tmp_path)
    before = disk.read_bytes()
    output = run_fs_watched("fs-self-checks", disk)
    output.expect(*FS_SELF_CHECKS, DONE, no=NO_USER_PANIC)
    if disk.read_bytes() != before:
        output.fail("the self-checks changed the disk image (they must leave it "
                    "as they found it)")
    if output.seen is None:
        output.fail("the file server never reached sys_ipc_recv to wait for a request "
                    "(a breakpoint, through the gdb stub)")
    cs, eflags, superblock, bitmap = output.seen
    if cs != USER_CS or eflags & FL_IOPL_3 != FL_IOPL_3:
        output.fail(f"the file server waits for requests with CS = {cs:#x} and eflags "
                    f"{eflags:#x}: expected user mode ({USER_CS:#x}) with IOPL 3")
    for block, data in ((1, superblock), (2, bitmap)):
        if data != before[block * BLKSIZE:(block + 1) * BLKSIZE]:
            output.fail(f"the file server's memory at {DISKMAP + block * BLKSIZE:#x} "
                        f"does not hold disk block {block} "
                        f"({'unmapped' if data is None else 'other bytes'}): its block "
                        f"cache did not read the disk (the grader looked through the "
                        f"gdb stub)")


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


# Where a struct File's fields are (lib/inc/fs.h; the numbers come from
# user/fs/mkfsimg.py): the name, then the size, the type, the direct
# blocks and the indirect block.
FS = fs_format()
SIZE, DIRECT = FS.MAXNAMELEN, FS.MAXNAMELEN + 8
INDIRECT = DIRECT + 4 * FS.NDIRECT


def corrupt_image(tmp_path, change):
    """A small image (motd, a file with an indirect block, big), with
    change(data, layout) applied; layout gives byte offsets."""
    image = image_builder()(256)
    image.add_file("motd", MOTD)
    image.add_file("big", bytes(range(256)) * 16 * 12)
    data = bytearray(image.finish())
    sb = FS.SUPERBLOCK * FS.BLKSIZE
    root = sb + 8
    (root_block,) = struct.unpack_from("<I", data, root + DIRECT)
    layout = {"super": sb, "root": root, "motd": root_block * FS.BLKSIZE,
              "big": root_block * FS.BLKSIZE + FS.FILE_SIZE}
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
    "block-out-of-range": (lambda d, l: put(d, l["motd"] + DIRECT, "<I", 0x7FFFFFFF),
                           r"fs: corrupt file system: file 'motd': block 0 is disk "
                           r"block 2147483647.*"),
    "directory-in-bitmap": (lambda d, l: put(d, l["root"] + DIRECT, "<I", 2),
                            r"fs: corrupt file system: file '/': block 0 is disk block 2.*"),
    "size-past-blocks": (lambda d, l: put(d, l["motd"] + SIZE, "<i", 3 * FS.BLKSIZE),
                         r"fs: corrupt file system: file 'motd': block 1 missing.*"),
    "name-unterminated": (lambda d, l: d.__setitem__(slice(l["motd"], l["motd"] + SIZE),
                                                     b"m" * SIZE),
                          r"fs: corrupt file system: a file name has no terminating NUL"),
    "indirect-out-of-range": (lambda d, l: put(d, l["big"] + INDIRECT, "<I", 300),
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


# What a crash may leave on this file system, and nothing else.  The
# server has no journal (crash consistency is a challenge of the lab),
# but it orders its writes: the bitmap's new allocations before the
# blocks and entries that use them (file_flush), an entry that lets go
# of blocks before the bitmap that frees them (file_remove,
# file_set_size).  A crash between two writes then leaves at worst
# blocks marked used that no file uses: leaked, never lost or shared.
CRASH_DAMAGE = r"block \d+ is marked used, but no file uses it"
STRESS_FILES = 11       # fsrw:stress writes /stress-0 .. /stress-10


@points(5, part="fs")
def test_killed_in_the_middle_of_writes(tmp_path):
    """QEMU killed while a program writes and removes files (at a moment
    chosen now).  The host fsck finds at worst leaked blocks (see
    CRASH_DAMAGE); the next boot mounts and serves every file that is
    there (or refuses with a clear message), never crashes on what it
    finds, and leaves the image as it found it."""
    disk = fresh_disk(tmp_path)
    with Qemu("lab5-crash-write", program="fs+fsrw:stress", disk=disk) as qemu:
        if qemu.wait_for(r"fsrw: stress round %d|%s" % (random.randrange(4, 12), PROMPT)):
            # Somewhere in the next round, not only at a round's end.
            time.sleep(random.random() * 0.05)
    first = qemu.stop()
    first.expect(r"fsrw: stress round \d+", no=NO_USER_PANIC)
    found = fsck(disk)
    unexpected = [p for p in found if not re.fullmatch(CRASH_DAMAGE, p)]
    if unexpected:
        first.fail("after the kill the host fsck finds more than leaked blocks (the "
                   "server's writes are out of order, or wrong):\n    "
                   + "\n    ".join(unexpected[:8]))
    # fsrw:stress fills each file with one letter; the blocks go to the
    # disk before the entry that points at them, so no file holds
    # anything else (stale blocks, zeros).
    for path in fsck_module().Image.open(disk).listing():
        if path.startswith("/stress-"):
            content = read_file(disk, path)
            if content.strip(content[:1]):
                first.fail(f"after the kill {path} holds more than one letter: its "
                           f"entry reached the disk before its blocks")
    after_crash = disk.read_bytes()
    # One reader after another (each starts when nothing else can run).
    readers = ",".join(["fsrw:read:/motd"] + [f"fsrw:read:/stress-{i}"
                                                for i in range(STRESS_FILES)])
    with Qemu("lab5-crash-read", program=f"fs+{readers}", disk=disk) as qemu:
        qemu.wait_for(DONE + "|" + PROMPT)
        # What the fsck found goes into the second run's log.
        qemu.notes.append(f"the host fsck after the kill: {len(found)} problems"
                          + "".join(f"\n  {p}" for p in found))
    output = qemu.stop()
    output.expect(r"FS is running", DONE, no=NO_USER_PANIC)
    if output.find(r"fs: cannot mount disk 1: .*") < 0:
        output.expect(r"superblock is good", r"fsrw: /motd: <<This is /motd.*")
        # Each file is read whole, or was removed; none is refused.
        for i in range(STRESS_FILES):
            output.expect(r"fsrw: (/stress-%d has \d+ bytes|open /stress-%d: file or "
                          r"block not found)" % (i, i), no=[r"fs: corrupt file system.*"])
    if disk.read_bytes() != after_crash:
        output.fail("the boot after the crash, which only read, changed the disk")


# ---------------------------------------------------------------- lib/shell
# The library OS's half of lab 5: the console as a file, pipes, spawn,
# and the shell.  Words the programs print or the shell runs are chosen
# at grading time; files the shell writes are read back from the disk.

SHELL_PROMPT = r"\$ "
SPAWN_LOG = r"\[(0000[0-9a-f]{4})\] new env (0000[0-9a-f]{4})"


def word():
    return "w" + token()[:10]


def user_symbols(program):
    return symbols(build().require(build().objdir / "user" / program))


def cont_or_monitor(stub, qemu, timeout=30.0, wait=15.0):
    """Continues (timeout not None) or keeps waiting (None) until the gdb
    stub reports a stop; None at once if the kernel has entered its
    monitor instead (a panic: nothing will stop there)."""
    import time
    if timeout is not None:
        stub.resume()
    deadline = time.monotonic() + (timeout or wait)
    while time.monotonic() < deadline:
        try:
            return stub._receive(0.5)
        except GradeFailure:
            with qemu.lock:
                if re.search(rb"K> ", qemu.output):
                    return None
    return None


class Shell:
    """A booted system (fs+init) with its shell; type() runs one line
    and returns what it printed up to the next prompt."""

    def __init__(self, name, disk, timeout=40, cpus=1):
        self.qemu = Qemu(f"lab5-{name}", program="fs+init", disk=disk,
                         timeout=timeout, cpus=cpus)

    def __enter__(self):
        self.qemu.start()
        # The monitor's prompt: everything has died (fail fast).
        self.position = self.qemu.wait_for(SHELL_PROMPT + "|" + PROMPT)
        if self.position is not None:
            with self.qemu.lock:
                if self.qemu.output[:self.position].endswith(b"K> "):
                    self.position = None
        return self

    def __exit__(self, *exc):
        self.qemu.stop()

    def type(self, line):
        if self.position is None:
            return None
        start = self.position
        self.qemu.send(line + "\n")
        self.position = self.qemu.wait_for(SHELL_PROMPT + "|" + PROMPT,
                                           start + len(line))
        if self.position is None:
            return None
        with self.qemu.lock:
            text = self.qemu.output[start:self.position].decode(errors="replace")
        # The kernel's own log lines are not the commands' output (and
        # may land in the middle of a line of it).
        return re.sub(r"\[[0-9a-f]{8}\] (new env|free env|exiting gracefully)"
                      r"[ 0-9a-f]*\n", "", text.replace("\r", ""))

    def stop(self):
        return self.qemu.stop()


def shell_fail(shell, message):
    shell.stop().fail(message)


@points(5, part="lib")
def test_spawn_hello(tmp_path):
    """spawn: the parent, not the kernel, creates the child from the file
    system's hello (the kernel logs the creator), and wait returns after
    the child has exited."""
    disk = fresh_disk(tmp_path)
    output = run_fs("spawnhello", "spawnhello", disk)
    output.expect(r"i am parent environment 00001001",
                  r"\[00001001\] new env (0000[0-9a-f]{4})",
                  r"hello, world", r"i am environment (0000[0-9a-f]{4})",
                  r"\[0000[0-9a-f]{4}\] exiting gracefully",
                  r"spawnhello: child 0000[0-9a-f]{4} has exited", DONE,
                  no=NO_USER_PANIC)
    child = output.match(r"\[00001001\] new env (0000[0-9a-f]{4})").group(1)
    hello = output.match(r"i am environment (0000[0-9a-f]{4})").group(1)
    if child != hello:
        output.fail(f"spawnhello's child is {child}, but hello ran as {hello}")
    # wait must not return before the child is gone.
    if output.find(r"\[%s\] free env %s" % (child, child)) > \
            output.find(r"spawnhello: child .* has exited"):
        output.fail("wait returned before the child was freed")


@points(5, part="lib")
def test_spawn_faultio(tmp_path):
    """A spawned program has no I/O privilege: its inb faults and only it
    is destroyed; the parent goes on."""
    disk = fresh_disk(tmp_path)
    output = run_fs("spawnfaultio", "spawnfaultio", disk)
    output.expect(r"faultio: IOPL 0, as expected",
                  r"  trap 0x0000000d General Protection",
                  r"spawnfaultio: child 0000[0-9a-f]{4} is gone, parent still here",
                  DONE, no=NO_USER_PANIC + [r"faultio: read port.*",
                                            r"faultio: eflags say IOPL 3!"])


@points(2, part="lib")
def test_spawn_refuses_bad_executables(tmp_path):
    """spawn checks the ELF from the disk as the kernel's loader does: a
    data file (motd) and an empty name are refused with an error; the
    shell survives them."""
    disk = fresh_disk(tmp_path)
    with Shell("spawn-bad", disk) as shell:
        out1 = shell.type("motd")
        out2 = shell.type("nosuchprogram" + word())
        out3 = shell.type("echo still alive")
    output = shell.stop()
    if out1 is None or out3 is None:
        output.fail("the shell did not come back after running a data file")
    if "sh: motd: file is not a valid executable" not in out1:
        output.fail(f"running motd should fail with E_NOT_EXEC; the shell said {out1!r}")
    if "sh: nosuchprogram" not in (out2 or ""):
        output.fail(f"running a missing program printed {out2!r}")
    output.expect(r"still alive", no=NO_USER_PANIC)


# The broken executables on the disk (user/mkbadelf.py), badelf-KIND.
BAD_ELF_KINDS = ["magic", "truncated", "header", "phdrs", "phnum", "segment",
                 "pastend", "filesz", "utop", "entry"]
FREE_PAGES = r"pages: \d+ total, (\d+) free.*"


@points(3, part="lib")
def test_spawn_refuses_malformed_elf_files(tmp_path):
    """spawn of each broken ELF file on the disk (bad magic; cut short;
    a header cut short; program headers outside the file, or too many;
    a segment past the file's end or wrapping around; p_filesz >
    p_memsz; a segment above UTOP; the entry in no segment), in an order
    chosen now, returns -E_NOT_EXEC; every child it began is freed; the
    parent goes on and spawns hello; and the kernel's free page count
    (the monitor's `pages`, at two int3 stops) is the same before and
    after two more rounds of them."""
    disk = fresh_disk(tmp_path)
    names = {path[1:] for path in fsck_module().Image.open(disk).listing()
             if path.startswith("/badelf-")}
    if names != {f"badelf-{kind}" for kind in BAD_ELF_KINDS}:
        raise GradeFailure(f"the disk image's broken executables are {sorted(names)}")
    seed = random.randrange(1, 1 << 30)
    output = run_kernel("lab5-spawnbadelf", ["pages", "c", "pages", "c"],
                        program=f"fs+spawnbadelf:{seed}", disk=disk, timeout=60)
    output.expect(r"spawnbadelf: %d broken files" % len(names), no=NO_USER_PANIC)
    refused = {m.group(1) for m in output.matches(
        r"spawnbadelf: (badelf-\w+): file is not a valid executable")}
    if refused != names:
        output.fail(f"spawn did not refuse {sorted(names - refused)} with "
                    f"E_NOT_EXEC (see what it said in the log)")
    output.expect(r"spawnbadelf: checkpoint before", FREE_PAGES,
                  r"spawnbadelf: checkpoint after", FREE_PAGES,
                  r"spawnbadelf: %d spawns refused, the parent goes on"
                  % (3 * len(names)), DONE,
                  no=NO_USER_PANIC + [r"spawnbadelf: .* was spawned as .*"])
    before, after = (int(m.group(1)) for m in output.matches(FREE_PAGES)[:2])
    if before != after:
        output.fail(f"{before} free pages before two rounds of refused spawns, "
                    f"{after} after: a refused spawn leaks pages")
    # Children of the program (its id is not the kernel's 00000000).
    begun = {m.group(1) for m in output.matches(r"\[0000[1-9a-f]\w{3}\] new env (\w+)")}
    freed = {m.group(1) for m in output.matches(r"\[\w+\] free env (\w+)")}
    if begun - freed:
        output.fail(f"children spawn began were never freed: {sorted(begun - freed)}")


@points(10, part="lib")
def test_pteshare_is_one_physical_page(tmp_path):
    """testpteshare: a PTE_SHARE page written by a forked and a spawned
    child.  The grader stops each of the three environments with the page
    mapped (gdb stub) and checks, through each one's page tables (UVPT),
    that all map the same physical page, which holds what the spawned
    child wrote, a word chosen now."""
    disk = fresh_disk(tmp_path)
    syms = user_symbols("testpteshare")
    secret = word()
    frames, whos = [], []
    uvpt = 0xEF400000
    shared_va = 0xA0000000
    with Qemu("lab5-testpteshare-gdb", program=f"fs+testpteshare:{secret}",
              disk=disk, gdb=True, timeout=40) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            stub.set_breakpoint(syms["shared_page_here"])
            stub.set_breakpoint(syms["_panic"])
            # Other programs (the file server) have code at the same
            # address: count only stops called from testpteshare's umain.
            umain = syms["umain"]
            regs = {}
            for _ in range(60):
                if len(frames) == 3:
                    break
                if cont_or_monitor(stub, qemu) is None:
                    break
                regs = stub.registers()
                if regs.get("eip") != syms["shared_page_here"]:
                    break
                ret, who_ptr = struct.unpack("<II", stub.read_memory(regs["esp"], 8))
                if umain <= ret < umain + 0x1000 and 0x800000 <= who_ptr < 0x1000000:
                    whos.append(stub.read_memory(who_ptr, 16).split(b"\0")[0].decode())
                    pte = int.from_bytes(stub.read_memory(uvpt + (shared_va >> 12) * 4, 4),
                                         "little")
                    frames.append(pte)
                # Past the breakpoint: step off it with it removed.
                stub.clear_breakpoint(syms["shared_page_here"])
                stub.command("s", 10)
                stub.set_breakpoint(syms["shared_page_here"])
            content = b""
            if frames:
                content = stub.read_memory(0xF0000000 + (frames[-1] & ~0xFFF), 64)
        finally:
            stub.close()
    output = qemu.stop()
    if len(frames) != 3:
        output.fail(f"expected the forked child, the spawned child and the parent "
                    f"at shared_page_here; got {whos}" +
                    (" (a panic first)" if regs.get("eip") == syms["_panic"] else ""))
    if whos != ["forked child", "spawned child", "parent"]:
        output.fail(f"shared_page_here was reached by {whos}")
    for who, pte in zip(whos, frames):
        if pte & 0x405 != 0x405:
            output.fail(f"in the {who} the page's PTE is {pte:#x}: not present, "
                        f"user and PTE_SHARE")
    if len({pte & ~0xFFF for pte in frames}) != 1:
        output.fail("the three environments map different physical pages: " +
                    ", ".join(f"{w} {p & ~0xFFF:#x}" for w, p in zip(whos, frames)))
    expected = f"spawn child wrote {secret}".encode()
    if not content.startswith(expected):
        output.fail(f"the physical page holds {content!r}, not {expected!r}")
    output.expect(r"fork handles PTE_SHARE right", r"spawn handles PTE_SHARE right",
                  no=NO_USER_PANIC)


@points(5, part="lib")
def test_fd_sharing(tmp_path):
    """testfdsharing: after fork, parent and child share a file
    descriptor's offset."""
    disk = fresh_disk(tmp_path)
    output = run_fs("testfdsharing", "testfdsharing", disk)
    output.expect(r"going to fork; motd has \d+ bytes",
                  r"child read \d+ bytes, same as the parent",
                  r"parent read the rest from the shared offset: fd sharing works",
                  DONE, no=NO_USER_PANIC)


@points(5, part="lib")
def test_pipe(tmp_path):
    """testpipe: 1000 lines with a word chosen now through a pipe, each
    line checked by the reader; a pipe whose reader is gone takes no
    more."""
    disk = fresh_disk(tmp_path)
    w = word()
    output = run_fs("testpipe", f"testpipe:{w}", disk)
    output.expect(r"pipe read 1000 lines, %d bytes, the last '999 %s'"
                  % (sum(len(f"{i} {w}\n") for i in range(1000)), w),
                  r"write to a pipe nobody reads returned 0 \(of 8000\)",
                  r"pipe tests passed", DONE, no=NO_USER_PANIC)


def primes_below(n):
    return [p for p in range(2, n) if all(p % d for d in range(2, int(p ** 0.5) + 1))]


@points(10, part="lib")
def test_primespipe(tmp_path):
    """primespipe: every prime below a limit chosen now (up to 1000),
    in order, through a chain of pipes, one environment per prime."""
    disk = fresh_disk(tmp_path)
    limit = random.randrange(900, 1001)
    output = run_fs("primespipe", f"primespipe:{limit}", disk, timeout=60)
    primes = primes_below(limit)
    output.expect(*[r"prime %d" % p for p in primes],
                  r"primespipe: done below %d" % limit, DONE, no=NO_USER_PANIC)
    printed = len(output.matches(r"prime \d+"))
    if printed != len(primes):
        output.fail(f"{printed} primes printed, expected {len(primes)}")
    creators = {m.group(1) for m in output.matches(SPAWN_LOG)}
    if len(creators) < len(primes) - 1:
        output.fail("the sieve is not a chain: too few environments created others")


@points(3, part="lib")
@pytest.mark.parametrize("program", ["testpiperace", "testpiperace2"])
def test_pipe_race(tmp_path, program):
    """pipeisclosed never says "closed" while the other end is open,
    while (on two CPUs) another environment dups and closes the read end
    (testpiperace) or forks and spawns copies of it (testpiperace2);
    and it does say so once the writer is gone."""
    disk = fresh_disk(tmp_path)
    output = run_fs(program, program, disk, cpus=2, timeout=60)
    output.expect(r"checker: no false close in \d+ checks",
                  r"checker: saw the real close",
                  r"%s: \d+ (rounds|forks and spawns) done" % program, DONE,
                  no=NO_USER_PANIC)


@points(2, part="lib")
@pytest.mark.parametrize("program", ["testpiperace", "testpiperace2"])
def test_pipe_mapping_order(tmp_path, program):
    """On one CPU, where the checker reads the reference counts in exact
    snapshots, a pipe's buffer never has fewer mappings than its two
    descriptor pages together, while another environment dups and
    closes (testpiperace) or forks, spawns and exits (testpiperace2):
    the buffer is mapped first and unmapped last.  testpiperace goes on
    until the checker has caught at least 5 closes half done (each one
    a close that unmapping in the wrong order would have failed)."""
    disk = fresh_disk(tmp_path)
    argument = "order" if program == "testpiperace" else "order:300"
    output = run_fs(f"{program}-order", f"{program}:{argument}", disk, timeout=60)
    output.expect(r"checker: no false close in \d+ checks",
                  r"checker: the buffer was never short of mappings; caught "
                  r"\d+ closes and \d+ other changes half done",
                  r"checker: saw the real close",
                  r"%s: \d+ (rounds|forks and spawns) done" % program, DONE,
                  no=NO_USER_PANIC)
    caught = int(output.match(r"checker: the buffer .* caught (\d+) closes.*").group(1))
    if program == "testpiperace" and caught < 5:
        output.fail(f"the checker caught only {caught} closes half done: too few "
                    f"to say anything about the order of close's unmaps")


@points(10, part="lib")
def test_shell_pipes_redirection_argv(tmp_path):
    """The shell runs programs with argv, pipes and redirection, all
    with words chosen now; a file it writes is on the disk afterwards,
    and the disk is clean."""
    disk = fresh_disk(tmp_path)
    a, b, c, name = word(), word(), word(), "f" + token()[:8]
    with Shell("shell", disk) as shell:
        out_echo = shell.type(f"echo {a}   {b}")
        out_pipe = shell.type(f"echo {a} {b} | num")
        out_write = shell.type(f"echo {c} > {name}")
        out_read = shell.type(f"cat < {name} | num | cat")
        out_chain = shell.type(f"cat {name} {name} | num")
        out_quote = shell.type(f'echo "{a}  {b}"')
        out_lsfd = shell.type("lsfd -1 | cat")
    output = shell.stop()
    checks = [
        (out_echo, f"\n{a} {b}\n", "echo with two words"),
        (out_pipe, f"\n    1 {a} {b}\n", "echo | num"),
        (out_read, f"\n    1 {c}\n", "cat < file | num | cat"),
        (out_chain, f"\n    1 {c}\n    2 {c}\n", "cat file file | num"),
        (out_quote, f"\n{a}  {b}\n", "a quoted word"),
    ]
    for got, want, what in checks:
        if got is None or want not in got:
            output.fail(f"{what}: expected {want!r} in the output, got {got!r}")
    if out_write is None or c in out_write.split("\n", 1)[-1]:
        output.fail(f"echo > file printed to the console: {out_write!r}")
    if out_lsfd is None or not re.search(r"fd 0: name <cons> .*dev cons", out_lsfd) \
            or not re.search(r"fd 1: name <pipe> .*dev pipe", out_lsfd):
        output.fail(f"lsfd in a pipeline should show fd 0 the console and fd 1 a "
                    f"pipe: {out_lsfd!r}")
    output.expect(no=NO_USER_PANIC)
    if read_file(disk, "/" + name) != f"{c}\n".encode():
        output.fail(f"/{name} on the disk does not hold {c!r}")
    expect_clean(output, disk)


@points(10, part="lib")
def test_shell_scripts_and_trace(tmp_path):
    """sh < script and sh -x script: the shell reads its commands from a
    file it was given (written by the shell itself, words chosen now);
    -x shows each command first; `sh < script` prints no prompt."""
    disk = fresh_disk(tmp_path)
    a, b = word(), word()
    with Shell("shell-script", disk) as shell:
        shell.type(f'echo "echo {a} | num" > s1')
        out_redirect = shell.type("sh < s1")
        out_trace = shell.type("sh -x s1")
        shell.type(f'echo "echo {b}" > s2')
        out_nested = shell.type("cat s2 | sh | num")
    output = shell.stop()
    if out_redirect is None or f"\n    1 {a}\n" not in out_redirect or "$ " in out_redirect[:-2]:
        output.fail(f"sh < s1 should print '    1 {a}' and no prompt: {out_redirect!r}")
    if out_trace is None or f"\n+ echo {a} | num\n    1 {a}\n" not in out_trace:
        output.fail(f"sh -x s1 should print '+ echo {a} | num' then '    1 {a}': "
                    f"{out_trace!r}")
    if out_nested is None or f"\n    1 {b}\n" not in out_nested:
        output.fail(f"cat s2 | sh | num should print '    1 {b}': {out_nested!r}")
    output.expect(no=NO_USER_PANIC)
    expect_clean(output, disk)


@points(5, part="lib")
def test_ls(tmp_path):
    """ls, ls -l, ls -F and ls -d list the root directory as the disk
    image holds it (the grader reads the image itself)."""
    disk = fresh_disk(tmp_path)
    files = fsck_module().Image.open(disk).check()[1]
    root = {path[1:]: f for path, f in files.items()
            if path.count("/") == 1 and path != "/"}
    with Shell("ls", disk) as shell:
        out_ls = shell.type("ls")
        out_long = shell.type("ls -l -F")
        out_dir = shell.type("ls -d -l -F motd /")
    output = shell.stop()
    if out_ls is None or out_long is None or out_dir is None:
        output.fail("the shell did not come back from ls")
    names = set(out_ls.strip("\n").split("\n")[1:-1])
    if names != set(root):
        output.fail(f"ls lists {sorted(names ^ set(root))[:5]} differently from the "
                    f"disk image")
    for name, f in root.items():
        line = "%s %8d %s%s" % ("d" if f.type == 1 else "-", f.size, name,
                                "/" if f.type == 1 else "")
        if line not in out_long.split("\n"):
            output.fail(f"ls -l -F: no line {line!r}")
    if "\n-      %3d motd\n" % root["motd"].size not in out_dir.replace(
            "%8d" % root["motd"].size, "     %3d" % root["motd"].size) or \
            "\nd        0 //\n" not in out_dir and "\nd " not in out_dir:
        output.fail(f"ls -d -l -F motd / printed {out_dir!r}")


@points(10, part="lib")
def test_testshell(tmp_path):
    """testshell: sh < testshell.sh > testshell.out matches testshell.key
    byte for byte; the grader also computes the expected output itself
    from the disk's motd and compares testshell.out on the disk."""
    disk = fresh_disk(tmp_path)
    motd = read_file(disk, "/motd").decode()
    output = run_fs("testshell", "testshell", disk, timeout=40)
    output.expect(r"testshell: the shell's output matches the key \(\d+ bytes\)",
                  DONE, no=NO_USER_PANIC)
    expected = "testshell: start\na quoted   word and more\none two three\n" \
        "    1 one two three\n"
    for i, line in enumerate(motd.rstrip("\n").split("\n")):
        expected += "%5d %s\n" % (i + 1, line)
    expected += "no newline here\n    1 one two three\ntestshell: end\n"
    got = read_file(disk, "/testshell.out").decode(errors="replace")
    if got != expected:
        output.fail(f"testshell.out on the disk differs from what the script must "
                    f"print:\n{got!r}\nexpected\n{expected!r}")
    expect_clean(output, disk)


@points(5, part="lib")
def test_icode_boots_to_the_shell(tmp_path):
    """icode reads motd and spawns init, which spawns the shell: the
    system comes up to a prompt that runs commands."""
    disk = fresh_disk(tmp_path)
    w = word()
    with Qemu("lab5-icode", program="fs+icode", disk=disk, timeout=30) as qemu:
        position = qemu.wait_for(SHELL_PROMPT + "|" + PROMPT)
        if position is not None and not qemu.output[:position].endswith(b"K> "):
            qemu.send(f"echo {w}\n")
            qemu.wait_for(r"\n%s\r?\n" % w, position)
    output = qemu.stop()
    output.expect(r"icode startup", r"icode: read motd", r"This is /motd.*",
                  r"icode: spawn init", r"init: starting sh", no=NO_USER_PANIC)
    output.expect(r"(\$ )?%s" % w)


@points(5, part="lib")
def test_init_respawns_the_shell(tmp_path):
    """When the shell exits (end of its input: Ctrl-D), init starts a new
    one."""
    disk = fresh_disk(tmp_path)
    w = word()
    position = None
    with Shell("respawn", disk) as shell:
        if shell.position is None:
            shell.stop().fail("the shell never gave a prompt")
        shell.qemu.send("\x04")
        position = shell.qemu.wait_for(r"init: starting sh[\s\S]*init: starting sh"
                                       r"[\s\S]*\$ ")
        if position is not None:
            shell.position = position
            shell.type(f"echo {w}")
    output = shell.stop()
    if position is None:
        output.fail("init did not start a second shell after the first exited")
    output.expect(r"(\$ )?%s" % w, no=NO_USER_PANIC)


@points(10, part="lib")
def test_console_input_keyboard_and_serial():
    """testkbd reads lines typed on the PS/2 keyboard (QEMU's sendkey)
    and on the serial port, words chosen now, through the console file;
    and the keyboard's and serial port's interrupts reach the kernel
    (a gdb breakpoint on console_interrupt)."""
    kbd_word = "k" + "".join(random.choice("abcdefghij") for _ in range(7))
    serial_word = word()
    kernel_syms = symbols(build().require(build().kernel))
    with Qemu("lab5-testkbd", program="testkbd", monitor=True, timeout=30,
              pc_bios=True) as qemu:
        position = qemu.wait_for(r"Type a line: ")
        monitor = QemuMonitor(qemu.monitor_socket)
        # Without exercise 7 no key ever arrives: stop at the stub's line
        # instead of waiting out the run's deadline.
        stub_line = r"console_interrupt: not implemented"

        def typed(word, position):
            position = qemu.wait_for(r"typed: %s|%s" % (word, stub_line), position)
            if position is not None and re.search(stub_line.encode(), qemu.output):
                return None
            return position

        try:
            if position is not None:
                monitor.type_text(kbd_word + "\n")
                position = typed(kbd_word, position)
            if position is not None:
                qemu.send(serial_word + "\r")
                position = typed(serial_word, position)
            if position is not None:
                qemu.send("quit\r")
                qemu.wait_for(r"testkbd done", position)
        finally:
            monitor.close()
    output = qemu.stop()
    output.expect(r"(Type a line: )?%s" % kbd_word, r"typed: %s" % kbd_word,
                  r"typed: %s" % serial_word, r"typed: quit", r"testkbd done",
                  no=NO_USER_PANIC)

    # The interrupts themselves: the kernel stops at console_interrupt,
    # with the trap number of the device that was used.
    trapnos = []
    with Qemu("lab5-testkbd-irq", program="testkbd", gdb=True, monitor=True,
              timeout=30, pc_bios=True) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        monitor = QemuMonitor(qemu.monitor_socket)
        try:
            handler = kernel_syms["console_interrupt"]
            # kernel/console.c's input buffer: buf[512], read_pos, write_pos.
            write_pos = kernel_syms["input"] + 512 + 4
            stub.set_breakpoint(handler)
            stub.resume()
            position = qemu.wait_for(r"Type a line: ")
            # A key sends two interrupts (press and release), so stop
            # by stop until the device's own vector is seen.
            for press, vector in ((lambda: monitor.command("sendkey a"), 33),
                                  (lambda: qemu.send("s"), 36)):
                if position is None:
                    break
                press()
                for hit in range(4):
                    # The first interrupt comes at once; a second (a key's
                    # release) within a moment, or not at all.
                    if cont_or_monitor(stub, qemu, None,
                                       wait=15.0 if hit == 0 else 2.0) is None:
                        break
                    regs = stub.registers()
                    if regs.get("eip") != handler:
                        break
                    tf = int.from_bytes(stub.read_memory(regs["esp"] + 4, 4), "little")
                    trapno = int.from_bytes(stub.read_memory(tf + 40, 4), "little")
                    ret = int.from_bytes(stub.read_memory(regs["esp"], 4), "little")
                    before = stub.read_memory(write_pos, 4)
                    # Run the handler to its return: did a character
                    # reach the input buffer?
                    stub.clear_breakpoint(handler)
                    stub.set_breakpoint(ret)
                    stub.cont(timeout=10)
                    stub.clear_breakpoint(ret)
                    stub.set_breakpoint(handler)
                    trapnos.append((trapno, stub.read_memory(write_pos, 4) != before))
                    stub.resume()
                    if trapnos[-1] == (vector, True):
                        break
            stub.clear_breakpoint(kernel_syms["console_interrupt"])
        finally:
            stub.close()
            monitor.close()
    output = qemu.stop()
    if not trapnos or trapnos[0][0] != 33 or (33, True) not in trapnos or \
            (36, True) not in trapnos:
        output.fail(f"console_interrupt ran for (trap number, a character reached "
                    f"the input buffer) = {trapnos}; expected (33, True) for the "
                    f"key pressed (IRQ 1) and (36, True) for the byte on the "
                    f"serial port (IRQ 4)")
