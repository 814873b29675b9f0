"""Lab 2: physical page management, page tables, the kernel address space.

Part A: the page allocator.  Part B: page table operations.  Part C: the
kernel's page directory, checked from the monitor.  Part D: detecting
physical memory.
"""
import re
import struct

import pytest

from gradelib import GdbStub, GradeFailure, Qemu, build, points, run_kernel, stubs, symbols

KERNBASE = 0xF0000000
UPAGES = 0xEF000000
UENVS = 0xEEC00000
UVPT = 0xEF400000
NENV = 1024
PGSIZE = 4096
PTE_P, PTE_U, PTE_PS = 0x1, 0x4, 0x80
PAGEINFO_SIZE = 8       # struct PageInfo: pp_link, pp_ref (and padding)
ENV_LINK_OFFSET = 68    # struct Env: env_tf (68 bytes), then env_link
KSTACKTOP = KERNBASE
KSTKSIZE = 8 * 4096
PTSIZE = 4 << 20
# Lab 2's own code must not panic.  (A later lab's unfinished stub may
# panic after mem_init: that is that lab's failure, not this one's.)
# Every lab 2 test runs mem_init, which needs exercise 1 first.
ALLOCATOR_STUBS = ("boot_alloc", "page_init")
NO_PANIC = [r"kernel panic at (kernel/(pmap|memdetect|monitor_mem)|lab2/pmap_check)\.c.*"]

COMMANDS = [
    "showmappings f0000000 f0003fff",
    "showmappings ef000000 ef000fff",
    "showmappings efc00000 efff7fff",
    "showmappings efff8000 efffffff",
    "showmappings 0 3fffff",
    "pages",
    "dumpmem -p 100000 10",
    "dumpmem f0100000 10",
]


# The self-checks of lab2/pmap_check.c that mem_init must run: the
# grader sees them start (a breakpoint each), so that printing their
# "succeeded!" lines is not enough.
SELF_CHECKS = ["check_page_free_list", "check_page_alloc", "check_page",
               "check_kern_pgdir", "check_page_installed_pgdir"]


@pytest.fixture(scope="module")
def kernel_symbols():
    return symbols(build().require(build().kernel))


@pytest.fixture(scope="module")
def boot(kernel_symbols):
    """One boot, shared by the tests that read its output.  Through the
    gdb stub the grader notes which self-checks start, and when the
    kernel reaches the monitor it counts the free list itself."""
    ran, free, visible = set(), None, "the kernel never reached the monitor"
    with Qemu("lab2-boot", gdb=True, timeout=30) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            stops = {kernel_symbols[n]: n for n in SELF_CHECKS + ["monitor"]
                     if n in kernel_symbols}
            for address in stops:
                stub.set_breakpoint(address)
            while stops:
                if not stub.cont(timeout=25).startswith("T05"):
                    break
                eip = stub.registers()["eip"]
                name = stops.pop(eip, None)
                if name is None:
                    break
                stub.clear_breakpoint(eip)
                if name == "monitor":
                    free = free_list_length(KernelMemory(stub), kernel_symbols)
                    try:
                        visible = user_visible_state(KernelMemory(stub), kernel_symbols)
                    except GradeFailure as e:
                        visible = str(e)
                    break
                ran.add(name)
            for address in stops:
                stub.clear_breakpoint(address)
            stub.resume()
            position = qemu.wait_for(r"K> ")
            for command in COMMANDS:
                if position is None:
                    break
                qemu.send(command + "\n")
                position = qemu.wait_for(r"K> ", position)
        finally:
            stub.close()
    output = qemu.stop()
    output.checks_ran, output.free_pages, output.user_visible = ran, free, visible
    return output


def free_list_length(memory, kernel_symbols):
    """(length of page_free_list, npages), read from the kernel's
    memory: pages[] in one piece, the list followed locally; None if
    the list is broken (a loop, a link outside pages[])."""
    try:
        npages = memory.word(kernel_symbols["npages"])
        pages = memory.word(kernel_symbols["pages"])
        link = memory.word(kernel_symbols["page_free_list"])
        if not pages or not 0 < npages <= (1 << 20):
            return None
        array = memory.read(pages, npages * PAGEINFO_SIZE)
    except GradeFailure:
        return None
    count = 0
    while link:
        index, rest = divmod(link - pages, PAGEINFO_SIZE)
        if rest or not 0 <= index < npages or count > npages:
            return None
        count += 1
        link = struct.unpack_from("<I", array, index * PAGEINFO_SIZE)[0]
    return count, npages


def require_ran(boot, check):
    """The self-check really ran (not only its line was printed)."""
    if check not in boot.checks_ran:
        boot.fail(f"{check}() never ran (the grader watched for it through the "
                  f"gdb stub): mem_init must call it")


def mapping_after(output, command):
    """The run lines showmappings printed for `command`."""
    start = output.find(re.escape("K> " + command))
    if start < 0:
        output.fail(f"the monitor did not run {command!r}")
    runs = []
    for line in output.lines[start + 1:]:
        m = re.fullmatch(r"  ([0-9a-f]{8})-([0-9a-f]{8})(?: -> ([0-9a-f]{8})-[0-9a-f]{8}"
                         r"  P ([W-]) ([U-])(?: PS)?|  unmapped)", line)
        if not m:
            break
        runs.append(m)
    if not runs:
        output.fail(f"{command!r} printed no mappings (is showmappings broken?)")
    return runs


# ---------------------------------------------------------------- part A

@points(10, part="A")
@stubs(*ALLOCATOR_STUBS)
def test_check_page_free_list(boot):
    """page_init puts exactly the free pages on the free list."""
    boot.expect(r"check_page_free_list\(\) succeeded!",
                no=[r"kernel panic at .*(boot_alloc|page_init): not implemented.*"])
    require_ran(boot, "check_page_free_list")
    if boot.free_pages is None:
        boot.fail("the grader could not follow page_free_list through pages[] "
                  "(a loop, or a link outside the array)")
    free, npages = boot.free_pages
    if not 0 < free < npages:
        boot.fail(f"page_free_list holds {free} of the {npages} pages")


@points(10, part="A")
@stubs(*ALLOCATOR_STUBS)
def test_check_page_alloc(boot):
    """page_alloc and page_free: distinct pages, exhaustion, ALLOC_ZERO."""
    boot.expect(r"check_page_alloc\(\) succeeded!")
    require_ran(boot, "check_page_alloc")


# ---------------------------------------------------------------- part B

@points(20, part="B")
@stubs(*ALLOCATOR_STUBS)
def test_check_page(boot):
    """pgdir_walk, page_insert, page_lookup, page_remove, re-insertion."""
    boot.expect(r"check_page\(\) succeeded!")
    require_ran(boot, "check_page")


# ---------------------------------------------------------------- part C

@points(10, part="C")
@stubs(*ALLOCATOR_STUBS)
def test_check_kern_pgdir(boot):
    """mem_init maps UPAGES, the kernel stack and KERNBASE correctly."""
    boot.expect(r"check_kern_pgdir\(\) succeeded!")
    require_ran(boot, "check_kern_pgdir")


@points(5, part="C")
@stubs(*ALLOCATOR_STUBS)
def test_check_page_installed_pgdir(boot):
    """With kern_pgdir loaded, remapping a page takes effect (TLB)."""
    boot.expect(r"check_kern_pgdir\(\) succeeded!",
                r"check_page_free_list\(\) succeeded!",
                r"check_page_installed_pgdir\(\) succeeded!",
                r"Welcome to the ExoLab kernel monitor!", no=NO_PANIC)
    require_ran(boot, "check_page_installed_pgdir")


@points(5, part="C")
@stubs(*ALLOCATOR_STUBS)
def test_kernbase_maps_physical_zero(boot):
    """KERNBASE maps physical 0, kernel read/write, not user (in
    kern_pgdir: the entry page directory maps it too)."""
    boot.expect(r"check_page_installed_pgdir\(\) succeeded!")
    run = mapping_after(boot, COMMANDS[0])[0]
    if run.group(3) != "00000000" or run.group(4) != "W" or run.group(5) != "-":
        boot.fail(f"f0000000 should map pa 00000000 as P W -; showmappings "
                  f"says {run.group(0).strip()}")
    if int(run.group(2), 16) < 0xF0003FFF:
        boot.fail("f0000000-f0003fff should be one contiguous kernel mapping")


@points(5, part="C")
@stubs(*ALLOCATOR_STUBS)
def test_upages_is_user_read_only(boot, kernel_symbols):
    """UPAGES maps pages[] (just past the kernel) user read-only."""
    run = mapping_after(boot, COMMANDS[1])[0]
    if run.group(3) is None or run.group(4) != "-" or run.group(5) != "U":
        boot.fail(f"UPAGES should be mapped P - U; showmappings says "
                  f"{run.group(0).strip()}")
    pa = int(run.group(3), 16)
    if pa < kernel_symbols["end"] - KERNBASE:
        boot.fail(f"UPAGES maps pa {pa:08x}, inside the kernel image; "
                  f"pages[] comes from boot_alloc, after `end`")


@points(5, part="C")
@stubs(*ALLOCATOR_STUBS)
def test_kernel_stack_and_guard(boot, kernel_symbols):
    """The boot stack sits below KSTACKTOP over an unmapped guard."""
    guard = mapping_after(boot, COMMANDS[2])
    if build().lab >= 4:
        # From lab 4 on, the other CPUs' stacks sit below the guard, and
        # CPU 0 has its own stack instead of the boot stack.
        if guard[-1].group(3) is not None or int(guard[-1].group(1), 16) > 0xEFFF0000:
            boot.fail("[KSTACKTOP - KSTKSIZE - KSTKGAP, KSTACKTOP - KSTKSIZE) "
                      "must be unmapped: " + guard[-1].group(0).strip())
    elif len(guard) != 1 or guard[0].group(3) is not None:
        boot.fail("[KSTACKTOP - PTSIZE, KSTACKTOP - KSTKSIZE) must be "
                  "unmapped: " + "; ".join(r.group(0).strip() for r in guard))
    stack = mapping_after(boot, COMMANDS[3])
    expected = kernel_symbols["bootstack"] - KERNBASE
    # Lab 4's mem_init_mp moves CPU 0 to the first of the CPUs' stacks.
    allowed = [expected] + ([kernel_symbols["percpu_kstacks"] - KERNBASE]
                            if build().lab >= 4 else [])
    if (len(stack) != 1 or stack[0].group(3) is None
            or int(stack[0].group(3), 16) not in allowed
            or stack[0].group(4) != "W" or stack[0].group(5) != "-"):
        boot.fail(f"efff8000-efffffff should map the boot stack at pa "
                  f"{expected:08x} as P W -; showmappings says "
                  + "; ".join(r.group(0).strip() for r in stack))


@points(3, part="C")
@stubs(*ALLOCATOR_STUBS)
def test_nothing_mapped_low(boot):
    """Nothing is mapped below UTOP in the kernel's page directory."""
    runs = mapping_after(boot, COMMANDS[4])
    if len(runs) != 1 or runs[0].group(3) is not None:
        boot.fail("0-3fffff should be unmapped")


@points(4, part="C")
@stubs(*ALLOCATOR_STUBS)
def test_pages_command(boot):
    """`pages` counts match the memory detected."""
    total = boot.match(r"Physical memory: (\d+)K available.*")
    pages = boot.match(r"pages: (\d+) total, (\d+) free, (\d+) in use.*")
    if not total or not pages:
        boot.fail("need both the 'Physical memory' line and `pages` output")
    n, free, used = (int(pages.group(i)) for i in (1, 2, 3))
    if n != int(total.group(1)) // 4 or free + used != n or not 0 < free < n:
        boot.fail(f"pages says {n} total / {free} free / {used} used for "
                  f"{total.group(1)}K of memory")
    if boot.free_pages is not None and (free, n) != boot.free_pages:
        boot.fail(f"pages says {free} free of {n}; page_free_list, which the grader "
                  f"walked, holds {boot.free_pages[0]} of {boot.free_pages[1]}")


@points(3, part="C")
@stubs(*ALLOCATOR_STUBS)
def test_dumpmem_virtual_and_physical(boot):
    """dumpmem reads the kernel's first bytes (the Multiboot magic) both
    at physical 0x100000 and at its virtual address."""
    boot.expect(r"check_page_installed_pgdir\(\) succeeded!",
                r"pa 00100000: 02 b0 ad 1b .*", r"f0100000: 02 b0 ad 1b .*")


@points(5, part="C")
@stubs(*ALLOCATOR_STUBS)
def test_monitor_commands_reject_bad_input():
    """Bad arguments print usage; nothing faults; setperm changes bits."""
    output = run_kernel("lab2-bad-input", [
        "showmappings", "showmappings zz 1", "showmappings 2000 1000",
        "dumpmem -p", "dumpmem 0 0", "dumpmem -p ffffffff 10", "dumpmem 123456789 1",
        "setperm", "setperm 0 +W", "setperm ef000000 +X",
        "setperm ef000000 +W", "setperm ef000000 -W", "pages"])
    output.expect(r"(K> )?usage: showmappings.*", r"(K> )?usage: showmappings.*",
                  r"(K> )?usage: showmappings.*", r"(K> )?usage: dumpmem.*",
                  r"(K> )?usage: dumpmem.*", r"pa ffffffff: --",
                  r"(K> )?usage: dumpmem.*", r"(K> )?usage: setperm.*",
                  r"(K> )?setperm: 00000000 is not mapped",
                  r"(K> )?setperm: unknown flag 'X'.*",
                  r"  ef000000-ef000fff -> [0-9a-f]{8}-[0-9a-f]{8}  P W U",
                  r"  ef000000-ef000fff -> [0-9a-f]{8}-[0-9a-f]{8}  P - U",
                  r"(K> )?pages: \d+ total.*", no=NO_PANIC)


def roundup_page(n):
    return (n + PGSIZE - 1) // PGSIZE * PGSIZE


class KernelMemory:
    """Reads the stopped kernel's memory through the gdb stub."""

    def __init__(self, stub):
        self.stub = stub

    def read(self, address, length):
        return self.stub.read_memory(address, length)

    def word(self, address):
        return struct.unpack("<I", self.read(address, 4))[0]

    def table(self, kva):
        return struct.unpack("<1024I", self.read(kva, PGSIZE))


def user_visible_pages(memory, pgdir):
    """Every (va, pa) the user may read in pgdir, except UVPT (the page
    tables, user-readable on purpose), found by walking the tables."""
    for pdx, pde in enumerate(memory.table(pgdir)):
        va = pdx << 22
        if pde & (PTE_P | PTE_U) != PTE_P | PTE_U or va == UVPT:
            continue
        if pde & PTE_PS:
            for i in range(1024):
                yield va + i * PGSIZE, (pde & 0xFFC00000) + i * PGSIZE
            continue
        for ptx, pte in enumerate(memory.table(KERNBASE + (pde & ~0xFFF))):
            if pte & (PTE_P | PTE_U) == PTE_P | PTE_U:
                yield va + ptx * PGSIZE, pte & ~0xFFF


def user_visible_state(memory, kernel_symbols):
    """(the user-visible pages of kern_pgdir {va: pa}, the ones allowed
    {va: pa}, npages), read from the kernel stopped at the monitor."""
    pgdir = memory.word(kernel_symbols["kern_pgdir"])
    npages = memory.word(kernel_symbols["npages"])
    pages = memory.word(kernel_symbols["pages"])
    envs = memory.word(kernel_symbols["envs"]) if "envs" in kernel_symbols else 0
    if not pgdir or not pages:
        raise GradeFailure("kern_pgdir or pages[] was never set up")
    allowed = {}
    for va in range(0, roundup_page(npages * PAGEINFO_SIZE), PGSIZE):
        allowed[UPAGES + va] = pages - KERNBASE + va
    if envs:
        # env_init links envs[0] to envs[1]: that is the size of a
        # struct Env in this kernel.
        env_size = memory.word(envs + ENV_LINK_OFFSET) - envs
        if not ENV_LINK_OFFSET < env_size < PGSIZE:
            raise GradeFailure("envs[0].env_link is not &envs[1] (env_init): "
                               "cannot size envs[]")
        for va in range(0, roundup_page(NENV * env_size), PGSIZE):
            allowed[UENVS + va] = envs - KERNBASE + va
    return dict(user_visible_pages(memory, pgdir)), allowed, npages


@points(5, part="C")
@stubs(*ALLOCATOR_STUBS)
def test_only_pages_and_envs_are_user_visible(boot):
    """Read through the gdb stub, kern_pgdir lets the user see pages[]
    at UPAGES and envs[] at UENVS, each exactly its size rounded up to a
    page (not a whole PTSIZE slot), and nothing else but UVPT."""
    if isinstance(boot.user_visible, str):
        boot.fail(boot.user_visible)
    visible, allowed, npages = boot.user_visible
    extra = sorted(va for va in visible if va not in allowed)
    if extra:
        boot.fail(f"{len(extra)} pages are user-visible beyond pages[] "
                  f"(UPAGES..{UPAGES + roundup_page(npages * PAGEINFO_SIZE):08x}) "
                  f"and envs[]: the first at va {extra[0]:08x} (pa "
                  f"{visible[extra[0]]:08x}); map each array's size rounded "
                  f"up to a page, not the whole PTSIZE slot")
    wrong = sorted(va for va in visible if allowed.get(va) != visible[va])
    if wrong:
        boot.fail(f"va {wrong[0]:08x} maps pa {visible[wrong[0]]:08x}, not "
                  f"{allowed[wrong[0]]:08x}")
    missing = sorted(va for va in allowed if va not in visible)
    if missing:
        boot.fail(f"va {missing[0]:08x} should map pa {allowed[missing[0]]:08x} "
                  f"for the user (pages[] at UPAGES, envs[] at UENVS)")


# ---------------------------------------------------------------- part D

def physical_memory(megabytes, cmdline=""):
    output = run_kernel(f"lab2-mem{megabytes}{'-' + cmdline.replace('=', '-') if cmdline else ''}",
                        ["pages"], memory=megabytes, cmdline=cmdline, boot_loader=True)
    m = output.match(r"Physical memory: (\d+)K available, base = (\d+)K, "
                     r"extended = (\d+)K")
    if m is None:
        output.fail("missing the 'Physical memory: ...K available' line")
    return output, int(m.group(1)), int(m.group(2)), int(m.group(3))


@pytest.mark.parametrize("megabytes", [32, 128])
@points(3, part="D")
@stubs(*ALLOCATOR_STUBS)
def test_memory_detected(megabytes):
    output, total, base, extended = physical_memory(megabytes)
    # The BIOS keeps a little at the top for itself (ACPI tables).
    if not megabytes * 1024 - 1024 <= total <= megabytes * 1024:
        output.fail(f"with -m {megabytes}, found {total}K")
    if not 600 <= base <= 640 or extended != total - 1024:
        output.fail(f"base {base}K / extended {extended}K do not add up")
    output.expect(r"check_page_installed_pgdir\(\) succeeded!", no=NO_PANIC)


@points(4, part="D")
@stubs(*ALLOCATOR_STUBS)
def test_memory_capped_at_kernbase_window():
    """With 512 MiB, the kernel uses the 256 MiB KERNBASE can map, and
    says so."""
    output, total, _, _ = physical_memory(512)
    output.expect(r"Physical memory: 5\d{5}K found, using 262144K: KERNBASE maps.*")
    if total != 262144:
        output.fail(f"expected 262144K available, got {total}K")
    output.expect(r"check_page_installed_pgdir\(\) succeeded!", no=NO_PANIC)


@points(3, part="D")
@stubs(*ALLOCATOR_STUBS)
def test_cmos_fallback_without_memory_map():
    """memmap=off: no map, so the kernel falls back to CMOS, with a warning."""
    output, total, base, _ = physical_memory(64, cmdline="memmap=off")
    output.expect(r"warning: no memory map from the boot loader; using the "
                  r"CMOS memory sizes")
    if total != 65536 or base != 640:
        output.fail(f"CMOS says 640K base and 65536K in all; got {base}K, {total}K")
    output.expect(r"check_page_installed_pgdir\(\) succeeded!", no=NO_PANIC)


@points(3, part="D")
@stubs()
def test_too_little_memory_panics_clearly():
    """With 4 MiB the kernel refuses, saying how much it needs; 8 MiB is
    enough.  (On the full PC, whose BIOS's memory map lab2/README.md
    shows.)"""
    output = run_kernel("lab2-mem4", [], memory=4, pc_bios=True)
    output.expect(r"kernel panic at kernel/pmap\.c:\d+: mem_init: ExoLab needs "
                  r"at least \d+K of RAM and this machine has \d+K.*")


@points(3, part="D")
@stubs(*ALLOCATOR_STUBS)
def test_grub_path_detects_memory():
    """Booted by GRUB, the kernel reads the Multiboot memory map."""
    if not build().iso.exists():
        pytest.skip("no ISO was built (grub-mkrescue missing?)")
    output = run_kernel("lab2-grub", ["pages"], iso=True)
    output.expect(r"Booted by a Multiboot loader, memory map: [1-9]\d* regions",
                  r"Physical memory: 1[23]\d{4}K available.*",
                  r"check_page_installed_pgdir\(\) succeeded!", no=NO_PANIC)
