"""Lab 1: booting the PC, formatted printing, the stack backtrace.

Part A checks the boot path (provided code), part B the printf engine
(exercise 8), part C the monitor and its backtrace (exercises 11, 12).
"""
import random
import re
import shutil
import struct
import subprocess

import pytest

from gradelib import GdbStub, Qemu, QemuMonitor, build, points, run_kernel, stubs, symbols

# What kernel/boot/loader.c leaves in eax/ebx (kernel/boot/bootinfo.h).
BOOTINFO_MAGIC = 0x4C4F5845
BOOTINFO_PADDR = 0x5000
KERNBASE = 0xF0000000

PRINTF_NOT_IMPLEMENTED = r".*%o not implemented.*"
BACKTRACE_NOT_IMPLEMENTED = r"backtrace: not implemented.*"
FRAME = (r"  ebp (?P<ebp>[0-9a-f]{8})  eip (?P<eip>[0-9a-f]{8})  "
         r"args (?P<args>[0-9a-f]{8}(?: [0-9a-f]{8}){4})")
WHERE = r"       (?P<file>\S+):(?P<line>\d+): (?P<fn>\S+)\+(?P<off>\d+)"


# A number printf must convert, picked when the grader runs (the kernel
# reads it from its command line, printf=N: lab1/checks.c), so that no
# line printed from memory can pass.
PRINTF_VALUE = random.SystemRandom().randrange(1 << 20, 1 << 31)
# Frames the grader reads at most (test_backtrace's recursion has 8).
MAX_FRAMES = 16


@pytest.fixture(scope="module")
def kernel_symbols():
    return symbols(build().require(build().kernel))


def real_stack(stub):
    """The stack as it really is, read through the gdb stub with QEMU
    stopped at mon_backtrace's first instruction: (ebp, eip, 5 args) per
    frame, mon_backtrace's own first (its ebp is where its prologue will
    push the caller's), then up the saved-ebp chain to ebp = 0."""
    regs = stub.registers()
    esp, ebp = regs["esp"], regs["ebp"]
    ret, *args = struct.unpack("<6I", stub.read_memory(esp, 24))
    frames = [(esp - 4, ret, tuple(args))]
    while ebp and len(frames) < MAX_FRAMES:
        saved, eip, *args = struct.unpack("<7I", stub.read_memory(ebp, 28))
        frames.append((ebp, eip, tuple(args)))
        ebp = saved
    return frames


@pytest.fixture(scope="module")
def boot(kernel_symbols):
    """One boot, shared by the tests that only read its output.  QEMU
    stops at the first call of mon_backtrace (from test_backtrace(0)),
    where the grader reads the real stack, then runs on."""
    stack = None
    with Qemu("lab1-boot", gdb=True, cmdline=f"printf={PRINTF_VALUE}", timeout=30,
              boot_loader=True) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            stub.set_breakpoint(kernel_symbols["mon_backtrace"])
            if stub.cont(timeout=20).startswith("T05"):
                stack = real_stack(stub)
            stub.clear_breakpoint(kernel_symbols["mon_backtrace"])
            stub.resume()
            position = qemu.wait_for(r"K> ")
            for command in ["help", "kerninfo", "backtrace", "xyzzy"]:
                if position is None:
                    break
                qemu.send(command + "\n")
                position = qemu.wait_for(r"K> ", position)
        finally:
            stub.close()
    output = qemu.stop()
    output.stack = stack
    return output


def frames(output, after=r"entering test_backtrace 0"):
    """The (frame, location) match pairs of the first backtrace printed
    after a line matching `after`."""
    start = output.find(r"Stack backtrace:", max(output.find(after), 0))
    if start < 0:
        output.fail("missing line: 'Stack backtrace:'")
    result = []
    lines = output.lines[start + 1:]
    i = 0
    while i < len(lines):
        frame = re.fullmatch(FRAME, lines[i])
        if not frame:
            break
        where = re.fullmatch(WHERE, lines[i + 1]) if i + 1 < len(lines) else None
        result.append((frame, where))
        i += 2 if where else 1
    return result


# ---------------------------------------------------------------- part A

@points(5, part="A")
@stubs()
def test_boot_loader_enters_kernel(kernel_symbols):
    """The boot loader jumps to the kernel's physical entry point with
    eax = BOOTINFO_MAGIC and ebx = the boot information page."""
    entry = kernel_symbols["entry"] - KERNBASE
    with Qemu("lab1-boot-loader", gdb=True, timeout=40, boot_loader=True) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            stub.set_breakpoint(entry)
            stop = stub.cont(timeout=30)
            regs = stub.registers()
        finally:
            stub.close()
    output = qemu.stop()
    if not stop.startswith("T05"):
        output.fail(f"QEMU did not stop at the kernel entry: {stop!r}")
    if regs["eip"] != entry:
        output.fail(f"stopped at eip {regs['eip']:#010x}, expected the "
                    f"entry point {entry:#010x}")
    if regs["eax"] != BOOTINFO_MAGIC or regs["ebx"] != BOOTINFO_PADDR:
        output.fail(f"at the kernel entry eax={regs['eax']:#010x} "
                    f"ebx={regs['ebx']:#010x}; expected eax={BOOTINFO_MAGIC:#010x} "
                    f"ebx={BOOTINFO_PADDR:#x}")


@points(5, part="A")
@stubs()
def test_banner_and_prompt(boot):
    """The kernel starts its output on a fresh serial line and reaches
    the monitor."""
    boot.expect(r"ExoLab exokernel",
                r"Welcome to the ExoLab kernel monitor!",
                r"K> .*")


@points(5, part="A")
@stubs()
def test_memory_map_passed(boot):
    """The boot loader hands over the BIOS's E820 memory map."""
    boot.expect(r"Booted by the ExoLab boot loader, memory map: [1-9]\d* regions")


@points(5, part="A")
@stubs()
def test_grub_boots():
    """GRUB boots the same kernel through its Multiboot header."""
    if not build().iso.exists():
        reason = "no ISO was built"
        if not (shutil.which("grub-mkrescue") or shutil.which("grub2-mkrescue")):
            reason = ("grub-mkrescue is not installed (sudo apt install "
                      "grub-pc-bin grub-common xorriso mtools)")
        pytest.skip(reason)
    output = run_kernel("lab1-grub", ["kerninfo"], iso=True, timeout=30)
    output.expect(r"ExoLab exokernel",
                  r"Booted by a Multiboot loader, memory map: [1-9]\d* regions",
                  r"Special kernel symbols:")


# ---------------------------------------------------------------- part B

@points(10, part="B")
@stubs("%o")
def test_printf_octal(boot):
    """%o prints octal (exercise 8), of a number picked at grading time
    too."""
    n = PRINTF_VALUE
    boot.expect(r"6828 decimal is 15254 octal!",
                re.escape(f"printf: {n} is octal [{n:o}]") + ".*",
                no=[PRINTF_NOT_IMPLEMENTED])


@points(10, part="B")
@stubs("%o")
def test_printf_octal_width_and_flags(boot):
    """%o honours width, the 0 flag and the l modifier."""
    n = PRINTF_VALUE
    boot.expect(r"printf: octal \[10\] width \[   755\] zeros \[000755\] "
                r"long \[20000000000\]",
                re.escape(f"printf: {n} is octal [{n:o}] width [{n:14o}] zeros [{n:014o}]"))


@points(5, part="B")
@stubs("%o")
def test_printf_flags_and_widths(boot):
    """The rest of the engine: widths, flags, hex, long long, strings."""
    boot.expect(
        r"printf: width \[   42\] left \[42   \] zeros \[00042\] negative \[-0042\]",
        r"printf: hex \[beef\] HEX \[BEEF\] unsigned \[4294967295\] "
        r"long long \[-12345678901234\]",
        r"printf: string \[   exo\] precision \[ker\] char \[K\] percent \[%\]",
        r"printf: int \[-7\] pointer \[0xf0100000\] error \[out of memory\] "
        r"unknown error \[error 99\]")


# ---------------------------------------------------------------- part C

@points(2, part="C")
@stubs()
def test_help_lists_commands(boot):
    boot.expect(r"help\s+- .*", r"kerninfo\s+- .*", r"backtrace\s+- .*")


@points(3, part="C")
@stubs()
def test_unknown_command(boot):
    boot.expect(r"(K> )?Unknown command 'xyzzy'")


@points(5, part="C")
@stubs()
def test_kerninfo_matches_the_kernel(boot, kernel_symbols):
    """kerninfo's addresses are the kernel ELF's own symbols."""
    boot.expect(r"Special kernel symbols:")
    for name in ("entry", "etext", "edata", "end"):
        m = boot.match(r"  %s\s+(?P<virt>[0-9a-f]{8}) \(virt\)\s+"
                       r"(?P<phys>[0-9a-f]{8}) \(phys\)" % name)
        if m is None:
            boot.fail(f"kerninfo does not show {name}")
        virt, phys = int(m.group("virt"), 16), int(m.group("phys"), 16)
        if virt != kernel_symbols[name] or phys != virt - KERNBASE:
            boot.fail(f"kerninfo says {name} is at {virt:08x} (phys {phys:08x}); "
                      f"the kernel's symbol table says {kernel_symbols[name]:08x}")
    m = boot.match(r"Kernel executable memory footprint: (\d+)KB")
    size = kernel_symbols["end"] - kernel_symbols["entry"]
    if m is None or int(m.group(1)) != (size + 1023) // 1024:
        boot.fail(f"expected a memory footprint of {(size + 1023) // 1024}KB")


@points(3, part="C")
@stubs()
def test_readline_backspace():
    """Backspace (and DEL, which terminals send) erases the last
    character typed."""
    output = run_kernel("lab1-backspace", ["kerninfx\x7fo", "helq\bp"])
    output.expect(r"Special kernel symbols:", r"help\s+- List the commands",
                  no=[r"(K> )?Unknown command.*"])


@points(5, part="C")
@stubs()
def test_readline_bounds_long_lines():
    """A 3000-character command is cut, not overflowed, and the monitor
    keeps working."""
    output = run_kernel("lab1-long-line", ["x" * 3000, "kerninfo"], timeout=60)
    output.expect(r"(K> )?Unknown command 'x{1023}'", r"Special kernel symbols:")


def boot_backtrace(boot):
    """The boot-time backtrace as printed, [(ebp, eip, args, where)],
    and the real stack the grader read when it began."""
    boot.expect(r"entering test_backtrace 0", r"Stack backtrace:",
                no=[BACKTRACE_NOT_IMPLEMENTED])
    if boot.stack is None:
        boot.fail("QEMU never stopped in mon_backtrace: does test_backtrace(0) "
                  "still call it?")
    printed = [(int(f.group("ebp"), 16), int(f.group("eip"), 16),
                tuple(int(a, 16) for a in f.group("args").split()), where)
               for f, where in frames(boot)]
    return printed, boot.stack


def show(frame):
    ebp, eip, args = frame[:3]
    return f"ebp {ebp:08x}  eip {eip:08x}  args " + " ".join("%08x" % a for a in args)


@points(5, part="C")
@stubs("backtrace")
def test_backtrace_frame_count(boot):
    """The backtrace shows every frame of the real stack, up to the
    entry code (ebp = 0), and no more."""
    printed, real = boot_backtrace(boot)
    if [f[0] for f in printed] != [f[0] for f in real]:
        boot.fail(f"the backtrace shows {len(printed)} frames, ebp "
                  + " ".join("%08x" % f[0] for f in printed)
                  + f"; the stack the grader walked (from mon_backtrace to the entry "
                  f"code) has {len(real)}, ebp " + " ".join("%08x" % f[0] for f in real))


@points(5, part="C")
@stubs("backtrace")
def test_backtrace_arguments(boot):
    """Each frame's five arguments are the words above its return
    address on the real stack (test_backtrace(0) ... (5) in frames
    2-7)."""
    printed, real = boot_backtrace(boot)
    for i, (mine, true) in enumerate(zip(printed, real)):
        if mine[2] != true[2]:
            boot.fail(f"frame {i + 1} shows the arguments of\n      {show(mine)}\n    "
                      f"but the stack holds\n      {show(true)}")
    if len(printed) < 7:
        boot.fail(f"only {len(printed)} frames shown")


@points(5, part="C")
@stubs("backtrace")
def test_backtrace_return_addresses(boot):
    """Each frame's ebp and eip (the return address) are those of the
    real stack."""
    printed, real = boot_backtrace(boot)
    for i, (mine, true) in enumerate(zip(printed, real)):
        if mine[:2] != true[:2]:
            boot.fail(f"frame {i + 1} shows\n      {show(mine)}\n    but the stack "
                      f"holds\n      {show(true)}")
    if len(printed) < 7:
        boot.fail(f"only {len(printed)} frames shown")


def line_of(address):
    """file:line of address from the kernel's DWARF line table
    (addr2line), or None where addr2line is missing or does not know."""
    try:
        proc = subprocess.run(["addr2line", "-e", str(build().kernel), "%x" % address],
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.match(r"(\S+):(\d+)", proc.stdout.strip())
    return (m.group(1), int(m.group(2))) if m and m.group(2) != "0" else None


@points(10, part="C")
@stubs("backtrace")
def test_backtrace_symbols_and_lines(boot, kernel_symbols):
    """Each frame names the function holding its eip, the offset from
    its start and the file:line of the call (eip - 1, in the kernel's
    DWARF line table) (exercise 12)."""
    printed, real = boot_backtrace(boot)
    if not all(where for *_, where in printed):
        boot.fail("each frame line must be followed by "
                  "'       file:line: function+offset'")
    functions = sorted((a, n) for n, a in kernel_symbols.items()
                       if not n.startswith(".") and a >= KERNBASE)
    for i, (_, eip, _, where) in enumerate(printed[:len(real) - 1]):
        start, name = max(((a, n) for a, n in functions if a <= eip),
                          default=(0, "?"))
        # Two names for one address (an alias): either will do.
        names = {n for a, n in functions if a == start}
        if where.group("fn") not in names or int(where.group("off")) != eip - start:
            boot.fail(f"frame {i + 1} (eip {eip:08x}) is {name}+{eip - start}; the "
                      f"backtrace says {where.group('fn')}+{where.group('off')}")
        true = line_of(eip - 1)
        if true is not None and (int(where.group("line")) != true[1]
                                 or not true[0].endswith(where.group("file"))):
            boot.fail(f"frame {i + 1} (eip {eip:08x}): the call is at "
                      f"{true[0]}:{true[1]}; the backtrace says "
                      f"{where.group('file')}:{where.group('line')}")
    if printed[6][3].group("fn") != "i386_init":
        boot.fail(f"test_backtrace(5) was called by i386_init, not "
                  f"{printed[6][3].group('fn')}")


@points(5, part="C")
@stubs("backtrace")
def test_backtrace_command(boot):
    """The monitor's backtrace command walks from the monitor to i386_init."""
    boot.expect(r"K> backtrace", r"Stack backtrace:",
                no=[BACKTRACE_NOT_IMPLEMENTED])
    found = frames(boot, after=r"K> backtrace")
    names = [w.group("fn") for _, w in found if w]
    for name in ("monitor", "i386_init"):
        if name not in names:
            boot.fail(f"the backtrace from the monitor should pass through "
                      f"{name}; it shows {names}")


# ------------------------------------------------ part A: the console devices

@points(5, part="A")
@stubs()
def test_keyboard_input():
    """Typing on the PS/2 keyboard reaches the monitor: lower case, and
    Shift for capitals."""
    with Qemu("lab1-keyboard", monitor=True, timeout=45, pc_bios=True) as qemu:
        position = qemu.wait_for(r"K> ")
        monitor = QemuMonitor(qemu.monitor_socket) if position else None
        try:
            for line in ("kerninfo", "HeLLo"):
                # One key at a time, each after the kernel echoed the one
                # before: typed all at once, the keys could overflow
                # QEMU's 16-byte PS/2 queue on a loaded machine, whose
                # guest drains it late (an Enter was lost once under load,
                # most likely so).
                for i, ch in enumerate(line):
                    if position is None:
                        break
                    monitor.type_text(ch)
                    if qemu.wait_for(re.escape(line[:i + 1]), position) is None:
                        position = None
                if position is None:
                    break
                monitor.type_text("\n")
                position = qemu.wait_for(r"K> ", position)
        finally:
            if monitor:
                monitor.close()
    output = qemu.stop()
    output.expect(r"K> kerninfo", r"Special kernel symbols:",
                  r"K> HeLLo", r"Unknown command 'HeLLo'")


@points(5, part="A")
@stubs()
def test_vga_console_shows_the_monitor():
    """The CGA/VGA text screen shows what the serial port does."""
    with Qemu("lab1-vga", monitor=True, timeout=30, pc_bios=True) as qemu:
        position = qemu.wait_for(r"K> ")
        screen = ""
        if position is not None:
            monitor = QemuMonitor(qemu.monitor_socket)
            try:
                cells = []
                for row in range(25):
                    dump = monitor.command("xp /80hx 0x%x" % (0xB8000 + row * 160))
                    cells += [int(w, 16) for w in re.findall(r"\b0x([0-9a-f]{4})\b", dump)]
                screen = "".join(chr(c & 0xFF) for c in cells)
            finally:
                monitor.close()
    output = qemu.stop()
    rows = [screen[i:i + 80].rstrip() for i in range(0, len(screen), 80)]
    if len(rows) != 25:
        output.fail(f"could not read the VGA text buffer ({len(screen)} cells)")
    if not any(r.startswith("Welcome to the ExoLab kernel monitor!") for r in rows) \
            or not any(r.startswith("K>") for r in rows):
        output.fail("the VGA screen does not show the monitor; it shows:\n      "
                    + "\n      ".join(r for r in rows if r))
    # Everything scrolled: the prompt is on the last line written.
    if not rows[-1].startswith("K>") and not rows[-2].startswith("K>"):
        output.fail("the prompt should be at the bottom of a scrolled screen")
