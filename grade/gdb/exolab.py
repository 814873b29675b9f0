"""ExoLab's gdb commands: `exo envs`, `exo pt`, `exo pages`, `exo tf`,
`exo cpus`, `exo fs`, `exo user`.  `help exo` lists them.

`make gdb` loads this file.  In a gdb of your own, after loading the
kernel's symbols (file obj/kernel/kernel), type

    source grade/gdb/exolab.py

Everything is read through QEMU's gdb stub: kernel variables through
their symbols, page tables and pages through physical memory (QEMU's
`Qqemu.PhyMemMode` packet, so a broken page table can still be read).
A command that cannot work yet (a lab 2 kernel has no envs; before
mem_init there are no pages) says why in one line.

What depends on the machine (word size, page-table levels, flag bits)
is in the Arch class, so that an x86-64 port only adds another one.
"""
import os
import struct

import gdb


class Arch:
    """i386 with 4 KiB pages: a two-level page table of 32-bit entries
    (a page directory of 1024 PDEs, page tables of 1024 PTEs)."""
    name = "i386"
    word = 4
    word_format = "<I"
    page_size = 4096
    # (shift, bits) of each level's index, top level first.
    levels = [(22, 10), (12, 10)]
    level_names = ["PDE", "PTE"]
    address_mask = 0xFFFFF000
    # Flag bits, in the order they are printed (inc/mmu.h).
    # SHARE and COW are bits the MMU leaves to software (PTE_AVAIL),
    # named as the library uses them (lib/inc/lib.h, labs 4 and 5).
    flags = [("P", 0x001), ("W", 0x002), ("U", 0x004), ("PWT", 0x008),
             ("PCD", 0x010), ("A", 0x020), ("D", 0x040), ("PS", 0x080),
             ("G", 0x100), ("SHARE", 0x400), ("COW", 0x800)]
    PRESENT, WRITE, USER, LARGE = 0x001, 0x002, 0x004, 0x080
    # Bits that are permissions (ranges merge only if these agree);
    # A and D change as the CPU touches pages.
    permission_mask = 0xD9F
    page_table_register = "$cr3"
    # Layout constants (kernel/inc/memlayout.h): the kernel maps all
    # physical memory at KERNBASE; the program's name is at the top of
    # its stack.
    kernbase = 0xF0000000
    ustacktop = 0xEEBFE000
    nenv = 1024
    envx_mask = 1023


ARCH = Arch()

ENV_STATUS = ["FREE", "DYING", "RUNNABLE", "RUNNING", "NOT_RUNNABLE"]
ENV_TYPES = ["user", "fs"]
TRAP_NAMES = {0: "divide error", 1: "debug", 2: "NMI", 3: "breakpoint",
              4: "overflow", 5: "BOUND", 6: "invalid opcode",
              7: "device not available", 8: "double fault",
              10: "invalid TSS", 11: "segment not present",
              12: "stack fault", 13: "general protection",
              14: "page fault", 16: "x87 error", 17: "alignment check",
              18: "machine check", 19: "SIMD error", 48: "system call"}


class ExoError(gdb.GdbError):
    """A one-line reason the command cannot run (gdb prints it)."""


# -- reading the machine ---------------------------------------------------

def require_target(command):
    try:
        gdb.selected_inferior().threads()
        if not gdb.selected_inferior().threads():
            raise ExoError(f"{command}: not connected to QEMU "
                           f"(start it with make qemu-nox-gdb, then target remote)")
    except gdb.error:
        raise ExoError(f"{command}: not connected to QEMU")


def kernel_objfile():
    """The kernel's symbol file (OBJDIR/kernel/kernel), if loaded."""
    for objfile in gdb.objfiles():
        if (objfile.filename or "").endswith(os.path.join("kernel", "kernel")):
            return objfile
    return None


def lookup_kernel_symbol(name):
    """A kernel variable's symbol.  Looked up in the kernel's own file:
    user programs have symbols of the same names (envs, pages at UENVS
    and UPAGES) once their symbols are loaded too."""
    objfile = kernel_objfile() or gdb
    return objfile.lookup_global_symbol(name) or objfile.lookup_static_symbol(name)


def symbol_value(command, name, needs):
    """The kernel variable `name`, or a one-line error saying which lab
    adds it."""
    symbol = lookup_kernel_symbol(name)
    if symbol is None:
        raise ExoError(f"{command}: {needs} (this kernel has no '{name}'; "
                       f"is the kernel's symbol file loaded?)")
    try:
        value = symbol.value()
        value.fetch_lazy()
    except gdb.MemoryError:
        raise ExoError(f"{command}: cannot read '{name}': the kernel is not "
                       f"running at its link address yet (paging off?)")
    return value


def read_virtual(address, length):
    try:
        return bytes(gdb.selected_inferior().read_memory(address, length))
    except gdb.MemoryError:
        raise ExoError(f"cannot read virtual memory at {address:#x}")


class PhysicalMemory:
    """Reads physical memory.  QEMU's stub switches to physical
    addresses on `Qqemu.PhyMemMode:1`; each read switches there and
    back, so that symbol reads in between stay virtual.  Where the
    packet is refused (not QEMU), the kernel's mapping of all memory at
    KERNBASE is used instead."""
    def __init__(self):
        self.supported = None

    def read(self, address, length):
        if self.supported is None:
            self.supported = self._set(1)
        elif self.supported:
            self._set(1)
        try:
            if self.supported:
                return bytes(gdb.selected_inferior().read_memory(address, length))
            return read_virtual(ARCH.kernbase + address, length)
        except gdb.MemoryError:
            raise ExoError(f"cannot read physical memory at {address:#x}")
        finally:
            if self.supported:
                self._set(0)

    def _set(self, on):
        reply = gdb.execute(f"maintenance packet Qqemu.PhyMemMode:{on}",
                            to_string=True)
        # gdb caches memory by address: virtual and physical views
        # must not share it.
        gdb.execute("maintenance flush dcache", to_string=True)
        return '"OK"' in reply

    def close(self):
        """Kept for the callers' try/finally; every read restores the
        virtual view itself."""


def words(data):
    return [v[0] for v in struct.iter_unpack(ARCH.word_format, data)]


class Layout:
    """Field offsets of a kernel struct, from its debug information, so
    that a whole array is read at once and decoded here.  (A gdb.Type
    instead of a name: a struct of another symbol file.)"""
    def __init__(self, type_name):
        self.type = gdb.lookup_type(type_name) if isinstance(type_name, str) \
            else type_name.strip_typedefs()
        self.size = self.type.sizeof
        self.fields = {}
        for field in self.type.fields():
            self.fields[field.name] = (field.bitpos // 8, field.type.sizeof,
                                       field.type)

    def get(self, data, base, name, signed=False):
        offset, size, _ = self.fields[name]
        chunk = data[base + offset:base + offset + size]
        return int.from_bytes(chunk, "little", signed=signed)


def current_env(command):
    """The address of the environment the CPU gdb stopped on runs (0 if
    none): `curenv` up to lab 3; from lab 4 curenv is that CPU's
    cpus[i].cpu_env.  QEMU shows each CPU as a gdb thread, thread n
    being the CPU whose local APIC id is n - 1."""
    symbol = lookup_kernel_symbol("curenv")
    if symbol is not None and symbol.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
        return int(symbol_value(command, "curenv", "needs lab 3"))
    cpus = symbol_value(command, "cpus", "needs lab 3 (curenv)")
    apicid = gdb.selected_thread().num - 1
    for i in range(int(symbol_value(command, "ncpu", "needs lab 4"))):
        if int(cpus[i]["cpu_apicid"]) == apicid:
            return int(cpus[i]["cpu_env"])
    return 0


def flag_names(entry):
    return " ".join(name for name, bit in ARCH.flags if entry & bit)


# -- environments ----------------------------------------------------------

class Envs:
    """envs[] read in one piece."""
    def __init__(self, command):
        require_target(command)
        self.command = command
        pointer = symbol_value(command, "envs",
                               "needs lab 3 (environments)")
        self.base = int(pointer)
        if self.base == 0:
            raise ExoError(f"{command}: envs is NULL: mem_init has not "
                           f"allocated it yet")
        self.layout = Layout("struct Env")
        self.tf = Layout("struct Trapframe")
        self.data = read_virtual(self.base, self.layout.size * ARCH.nenv)

    def field(self, index, name, signed=False):
        return self.layout.get(self.data, index * self.layout.size, name, signed)

    def live(self):
        return [i for i in range(ARCH.nenv)
                if self.field(i, "env_status") != 0]

    def find(self, envid):
        index = envid & ARCH.envx_mask
        if self.field(index, "env_status") == 0 or \
                self.field(index, "env_id") != envid:
            raise ExoError(f"{self.command}: no environment {envid:08x}")
        return index

    def eip(self, index):
        base = index * self.layout.size + self.layout.fields["env_tf"][0]
        return self.tf.get(self.data, base, "tf_eip")

    def pgdir_pa(self, index):
        return self.field(index, "env_pgdir") - ARCH.kernbase


def walk(physical, root, va):
    """The page-table walk of va from the top-level table at physical
    root: a list of (level name, entry address, entry), ending at the
    first entry that is not present or maps a page."""
    steps = []
    table = root
    for depth, (shift, bits) in enumerate(ARCH.levels):
        index = (va >> shift) & ((1 << bits) - 1)
        address = table + index * ARCH.word
        entry = words(physical.read(address, ARCH.word))[0]
        steps.append((f"{ARCH.level_names[depth]}[{index:#x}]", address, entry))
        last = depth == len(ARCH.levels) - 1
        if not entry & ARCH.PRESENT or last or entry & ARCH.LARGE:
            return steps, shift
        table = entry & ARCH.address_mask
    return steps, ARCH.levels[-1][0]


def mappings(physical, root):
    """Every present leaf mapping: (va, pa, size, entry), in VA order."""
    def visit(table, depth, va_base):
        shift, bits = ARCH.levels[depth]
        entries = words(physical.read(table, (1 << bits) * ARCH.word))
        for index, entry in enumerate(entries):
            if not entry & ARCH.PRESENT:
                continue
            va = va_base | (index << shift)
            if depth == len(ARCH.levels) - 1 or entry & ARCH.LARGE:
                yield va, entry & ARCH.address_mask & ~((1 << shift) - 1), \
                    1 << shift, entry
            else:
                yield from visit(entry & ARCH.address_mask, depth + 1, va)
    return visit(root, 0, 0)


def merged_ranges(physical, root):
    """Mappings merged into ranges: contiguous in both virtual and
    physical addresses, with the same permissions."""
    ranges = []
    for va, pa, size, entry in mappings(physical, root):
        perm = entry & ARCH.permission_mask
        if ranges:
            last = ranges[-1]
            if last[0] + last[2] == va and last[1] + last[2] == pa \
                    and last[3] == perm:
                last[2] += size
                continue
        ranges.append([va, pa, size, perm])
    return ranges


def program_name(envs, index, physical):
    """argv[0] of an environment: the kernel put the name at the very
    top of its stack (push_program_name in kernel/env.c)."""
    steps, shift = walk(physical, envs.pgdir_pa(index),
                        ARCH.ustacktop - ARCH.page_size)
    entry = steps[-1][2]
    if not entry & ARCH.PRESENT:
        return "?"
    page = physical.read(entry & ARCH.address_mask, ARCH.page_size)
    # The strings (argv[0] first, each NUL-terminated, then padding)
    # end the page; below them are argv[argc] (NULL) and the pointers
    # of argv[], whose top byte (0xee: the stack) is not printable.
    end = len(page.rstrip(b"\0"))
    start = end
    while start > 0 and (32 <= page[start - 1] < 127 or page[start - 1] == 0):
        start -= 1
    name = page[start:end].lstrip(b"\0").split(b"\0")[0].decode()
    return name if name else "?"


def parse_number(text):
    try:
        return int(gdb.parse_and_eval(text)) & 0xFFFFFFFF
    except gdb.error:
        raise ExoError(f"not a number: {text}")


def parse_envid(text):
    """An environment id as the kernel prints it: hex, 0x optional."""
    try:
        return int(text, 16)
    except ValueError:
        raise ExoError(f"not an environment id: {text}")


# -- the commands --------------------------------------------------------------

class Exo(gdb.Command):
    """ExoLab's commands for looking inside the kernel.

exo envs                 the environments
exo pt [ENVID] [VA]      a page table as ranges, or the walk of one address
exo pages                physical pages: free, used, reference counts
exo tf [ENVID]           an environment's saved trap frame
exo cpus                 each CPU's environment, the kernel lock (lab 4)
exo fs                   the file server's open files, dirty blocks (lab 5)
exo user NAME|ENVID      load a user program's symbols"""
    def __init__(self):
        super().__init__("exo", gdb.COMMAND_DATA, prefix=True)


class ExoEnvs(gdb.Command):
    """List the environments in envs[]: id, status, parent, type, runs,
the CPU it last ran on, saved eip and the program's name."""
    def __init__(self):
        super().__init__("exo envs", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        envs = Envs("exo envs")
        physical = PhysicalMemory()
        try:
            live = envs.live()
            if not live:
                gdb.write("no environments\n")
                return
            current = current_env("exo envs")
            gdb.write("  envid     status        parent    type runs cpu eip       name\n")
            for i in live:
                status = envs.field(i, "env_status")
                mark = "*" if envs.base + i * envs.layout.size == current else " "
                gdb.write(f"{mark} {envs.field(i, 'env_id'):08x}  "
                          f"{ENV_STATUS[status] if status < len(ENV_STATUS) else status:<13} "
                          f"{envs.field(i, 'env_parent_id'):08x}  "
                          f"{ENV_TYPES[envs.field(i, 'env_type')] if envs.field(i, 'env_type') < 2 else '?':<4} "
                          f"{envs.field(i, 'env_runs'):4} "
                          f"{envs.field(i, 'env_cpunum', signed=True):3} "
                          f"{envs.eip(i):08x}  {program_name(envs, i, physical)}\n")
            gdb.write(f"{len(live)} environment(s); * = curenv\n")
        finally:
            physical.close()


class ExoPt(gdb.Command):
    """Show a page table: exo pt [ENVID] [VA]

Without VA: every mapping, merged into ranges contiguous in virtual and
physical memory with equal permissions.  With VA: the walk of that
address, entry by entry, to the physical page and its reference count.
The page table is the current one (CR3), or environment ENVID's (hex,
as the kernel prints it), or the kernel's with ENVID `kernel`.  With
one argument that is not a live environment's id, it is VA."""
    def __init__(self):
        super().__init__("exo pt", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        require_target("exo pt")
        args = gdb.string_to_argv(arg)
        if len(args) > 2:
            raise ExoError("usage: exo pt [ENVID|kernel] [VA]")
        owner, va = None, None
        if args:
            owner = args[0]
            if len(args) == 2:
                va = parse_number(args[1])
            elif owner != "kernel" and not self._is_env(owner):
                owner, va = None, parse_number(args[0])
        root, title = self._root(owner)
        physical = PhysicalMemory()
        try:
            if va is None:
                self._ranges(physical, root, title)
            else:
                self._walk(physical, root, title, va)
        finally:
            physical.close()

    def _is_env(self, text):
        try:
            envid = int(text, 16)
            Envs("exo pt").find(envid)
            return True
        except (ValueError, ExoError):
            return False

    def _root(self, owner):
        if owner is None:
            cr3 = int(gdb.parse_and_eval(ARCH.page_table_register))
            if not int(gdb.parse_and_eval("$cr0")) & 0x80000000:
                raise ExoError("exo pt: paging is off (CR0.PG clear): there "
                               "is no page table yet")
            return cr3 & ARCH.address_mask, f"the current page table (CR3 = {cr3:#010x})"
        if owner == "kernel":
            pgdir = int(symbol_value("exo pt", "kern_pgdir", "needs lab 2"))
            if pgdir == 0:
                raise ExoError("exo pt: kern_pgdir is NULL: mem_init has not "
                               "made it yet")
            return pgdir - ARCH.kernbase, f"kern_pgdir (pa {pgdir - ARCH.kernbase:#010x})"
        envs = Envs("exo pt")
        index = envs.find(parse_envid(owner))
        root = envs.pgdir_pa(index)
        return root, f"env {parse_envid(owner):08x}'s page table (pa {root:#010x})"

    def _ranges(self, physical, root, title):
        gdb.write(f"{title}\n")
        gdb.write("  virtual                  physical     size        flags\n")
        for va, pa, size, perm in merged_ranges(physical, root):
            gdb.write(f"  {va:08x}-{va + size - 1:08x}  {pa:08x}     "
                      f"{size:#010x}  {flag_names(perm)}\n")

    def _walk(self, physical, root, title, va):
        gdb.write(f"va {va:#010x} in {title}\n")
        steps, shift = walk(physical, root, va)
        for name, address, entry in steps:
            gdb.write(f"  {name:<9} at pa {address:#010x} = {entry:#010x}  "
                      f"{flag_names(entry) or 'not present'}\n")
        entry = steps[-1][2]
        if not entry & ARCH.PRESENT:
            gdb.write(f"  not mapped: the {steps[-1][0][:3]} is not present\n")
            return
        page = entry & ARCH.address_mask & ~((1 << shift) - 1)
        pa = page | (va & ((1 << shift) - 1))
        line = f"  physical address {pa:#010x} (page {page:#010x})"
        pages = lookup_kernel_symbol("pages")
        if pages is not None and int(pages.value()) != 0 and shift == 12:
            number = page >> 12
            npages = int(symbol_value("exo pt", "npages", "needs lab 2"))
            if number < npages:
                ref = int(pages.value()[number]["pp_ref"])
                line += f", pages[{number:#x}].pp_ref = {ref}"
            else:
                line += " (above npages: not RAM the kernel manages)"
        gdb.write(line + "\n")


class ExoPages(gdb.Command):
    """Physical pages: how many are free and used, a summary of the
reference counts, and the free list checked for loops and for pages
that are on it while in use."""
    def __init__(self):
        super().__init__("exo pages", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        require_target("exo pages")
        pages = int(symbol_value("exo pages", "pages", "needs lab 2 (physical pages)"))
        npages = int(symbol_value("exo pages", "npages", "needs lab 2"))
        if pages == 0 or npages == 0:
            raise ExoError("exo pages: pages[] is not allocated yet "
                           "(mem_init has not run)")
        free_head = int(symbol_value("exo pages", "page_free_list", "needs lab 2"))
        layout = Layout("struct PageInfo")
        data = read_virtual(pages, layout.size * npages)
        refs = {}
        for i in range(npages):
            ref = layout.get(data, i * layout.size, "pp_ref")
            refs[ref] = refs.get(ref, 0) + 1
        # Walk the free list: each link must point at an entry of
        # pages[]; a link seen twice is a loop.
        seen, problems = set(), []
        link = free_head
        while link != 0:
            offset = link - pages
            if offset < 0 or offset % layout.size or offset // layout.size >= npages:
                problems.append(f"a link points outside pages[]: {link:#010x}")
                break
            number = offset // layout.size
            if number in seen:
                problems.append(f"the free list loops back to page {number:#x} "
                                f"after {len(seen)} pages")
                break
            seen.add(number)
            if layout.get(data, offset, "pp_ref") != 0:
                problems.append(f"page {number:#x} is on the free list with "
                                f"pp_ref {layout.get(data, offset, 'pp_ref')}")
            link = layout.get(data, offset, "pp_link")
        gdb.write(f"{npages} pages ({npages * ARCH.page_size // 1024} KiB): "
                  f"{len(seen)} free, {npages - len(seen)} used\n")
        summary = ", ".join(f"{count} with pp_ref {ref}" for ref, count in
                            sorted(refs.items()))
        gdb.write(f"reference counts: {summary}\n")
        if problems:
            for p in problems[:10]:
                gdb.write(f"free list: {p}\n")
        else:
            gdb.write(f"free list: {len(seen)} pages, no loop, every one with "
                      f"pp_ref 0\n")


def trapframe_lines(tf):
    regs = tf["tf_regs"]
    lines = []
    names = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp"]
    lines.append("  " + "  ".join(f"{n} {int(regs['reg_' + n]) & 0xFFFFFFFF:08x}"
                                  for n in names[:4]))
    lines.append("  " + "  ".join(f"{n} {int(regs['reg_' + n]) & 0xFFFFFFFF:08x}"
                                  for n in names[4:]))
    trapno = int(tf["tf_trapno"])
    err = int(tf["tf_err"])
    if trapno in TRAP_NAMES:
        name = TRAP_NAMES[trapno]
    elif 32 <= trapno < 48:
        name = f"IRQ {trapno - 32}" + (" timer" if trapno == 32 else "")
    else:
        name = "?"
    trap = f"  trap {trapno} ({name})"
    trap += f"  err {err:#x}"
    if trapno == 14:
        trap += (f" [{'user' if err & 4 else 'kernel'}, "
                 f"{'write' if err & 2 else 'read'}, "
                 f"{'protection' if err & 1 else 'not-present'}]")
    lines.append(trap)
    eip = int(tf["tf_eip"]) & 0xFFFFFFFF
    # For `list *$exo_eip` and `x/i $exo_eip`.
    gdb.set_convenience_variable("exo_eip", eip)
    where = gdb.execute(f"info symbol {eip:#x}", to_string=True).strip()
    where = "" if where.startswith("No symbol") else f"  <{where.split(' in section')[0]}>"
    lines.append(f"  eip  {eip:08x}{where}")
    cs, eflags = int(tf["tf_cs"]), int(tf["tf_eflags"])
    flags = [n for n, b in [("CF", 1), ("ZF", 0x40), ("SF", 0x80), ("TF", 0x100),
                            ("IF", 0x200), ("DF", 0x400), ("OF", 0x800),
                            ("VM", 0x20000)] if eflags & b]
    lines.append(f"  cs {cs & 0xFFFF:04x} (CPL {cs & 3})  eflags {eflags:08x} "
                 f"[{' '.join(flags)}]  ds {int(tf['tf_ds']) & 0xFFFF:04x}  "
                 f"es {int(tf['tf_es']) & 0xFFFF:04x}")
    lines.append(f"  esp  {int(tf['tf_esp']) & 0xFFFFFFFF:08x}  "
                 f"ss {int(tf['tf_ss']) & 0xFFFF:04x}")
    return lines


class ExoTf(gdb.Command):
    """Show an environment's saved trap frame, decoded: exo tf [ENVID]
(the current environment's by default).  The registers are those the
environment will resume with.  Sets $exo_eip to the saved eip
(list *$exo_eip shows its source line)."""
    def __init__(self):
        super().__init__("exo tf", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        envs = Envs("exo tf")
        args = gdb.string_to_argv(arg)
        if args:
            index = envs.find(parse_envid(args[0]))
        else:
            current = current_env("exo tf")
            if current == 0:
                raise ExoError("exo tf: no current environment (curenv is "
                               "NULL): name one, exo tf ENVID")
            index = (current - envs.base) // envs.layout.size
        env = symbol_value("exo tf", "envs", "needs lab 3")[index]
        gdb.write(f"env {int(env['env_id']):08x} trap frame "
                  f"(at {int(env['env_tf'].address):#010x}):\n")
        for line in trapframe_lines(env["env_tf"]):
            gdb.write(line + "\n")


CPU_STATUS = ["UNUSED", "STARTED", "HALTED"]


class ExoCpus(gdb.Command):
    """Each CPU's state and current environment, and the kernel lock's
holder with the code that took it (lab 4: cpus[], kernel_lock)."""
    def __init__(self):
        super().__init__("exo cpus", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        require_target("exo cpus")
        cpus = symbol_value("exo cpus", "cpus", "needs lab 4 (multiprocessor support)")
        ncpu = int(symbol_value("exo cpus", "ncpu", "needs lab 4"))
        lock = symbol_value("exo cpus", "kernel_lock", "needs lab 4 (the kernel lock)")
        if ncpu == 0:
            raise ExoError("exo cpus: ncpu is 0: mp_init has not found the CPUs yet")
        gdb.write("  cpu apic status   env\n")
        for i in range(ncpu):
            cpu = cpus[i]
            status = int(cpu["cpu_status"])
            env = int(cpu["cpu_env"])
            envid = (f"{int(cpu['cpu_env'].dereference()['env_id']):08x}"
                     if env else "-")
            gdb.write(f"  {i:3} {int(cpu['cpu_apicid']):4} "
                      f"{CPU_STATUS[status] if status < len(CPU_STATUS) else status:<8} "
                      f"{envid}\n")
        if int(lock["locked"]):
            eip = int(lock["eip"])
            where = gdb.execute(f"info symbol {eip:#x}", to_string=True).strip()
            where = "" if where.startswith("No symbol") else \
                f" <{where.split(' in section')[0]}>"
            gdb.write(f"kernel lock: held by cpu {int(lock['cpu'])}, taken at "
                      f"{eip:08x}{where}\n")
        else:
            gdb.write("kernel lock: free\n")


# The file server's layout (user/fs/serv.c, lib/inc/fd.h,
# kernel/inc/memlayout.h).
FS_DISKMAP, FS_DISKSIZE, FS_BLKSIZE = 0x10000000, 0xC0000000, 4096
OPEN_MODES = ["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"]
OPEN_FLAGS = [("O_CREAT", 0x100), ("O_TRUNC", 0x200), ("O_EXCL", 0x400),
              ("O_MKDIR", 0x800)]


def open_mode(mode):
    return "|".join([OPEN_MODES[mode & 3]] +
                    [name for name, bit in OPEN_FLAGS if mode & bit])


class EnvMemory:
    """An environment's memory, read through its page table in physical
    memory: every mapping found in one walk, then reads by address."""
    def __init__(self, physical, root):
        self.physical = physical
        self.entries = {va: entry for va, _, size, entry in mappings(physical, root)
                        if size == ARCH.page_size}

    def read(self, va, length):
        data = b""
        while length > 0:
            page = va & ARCH.address_mask
            entry = self.entries.get(page)
            if entry is None:
                raise ExoError(f"exo fs: the file server has nothing mapped at {va:#010x}")
            chunk = min(length, page + ARCH.page_size - va)
            data += self.physical.read((entry & ARCH.address_mask) + va - page, chunk)
            va, length = va + chunk, length - chunk
        return data


class FsSymbols:
    """The file server's symbols, from its ELF (OBJDIR/user/fs), loaded
    for the command's duration unless exo user loaded them already."""
    def __init__(self):
        self.path = os.path.join(objdir(), "user", "fs")
        if not os.path.exists(self.path):
            raise ExoError(f"exo fs: needs lab 5 (the file server): there is no {self.path}")
        self.added = not self._objfile()
        if self.added:
            gdb.execute(f"add-symbol-file {self.path}", to_string=True)

    def _objfile(self):
        for objfile in gdb.objfiles():
            if objfile.filename and os.path.realpath(objfile.filename) == \
                    os.path.realpath(self.path):
                return objfile
        return None

    def lookup(self, name):
        objfile = self._objfile()
        symbol = objfile and (objfile.lookup_static_symbol(name) or
                              objfile.lookup_global_symbol(name))
        if symbol is None:
            raise ExoError(f"exo fs: {self.path} has no '{name}'")
        return symbol

    def close(self):
        if self.added:
            gdb.execute(f"remove-symbol-file {self.path}", to_string=True)


class ExoFs(gdb.Command):
    """The file server's state (lab 5): its open files (opentab in
user/fs/serv.c: an entry is open while a client still maps its Fd page,
whose pp_ref is then above 1) with each one's mode, offset, size, first
block and name; and the block cache: the disk blocks mapped at DISKMAP,
and those the MMU marked dirty (PTE_D) since they were last flushed.
Read through the server's own page table, whichever environment runs."""
    def __init__(self):
        super().__init__("exo fs", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        require_target("exo fs")
        envs = Envs("exo fs")
        servers = [i for i in envs.live() if envs.field(i, "env_type") == 1]
        if not servers:
            raise ExoError("exo fs: needs lab 5 (the file server): no "
                           "environment of type ENV_TYPE_FS is running")
        index = servers[0]
        symbols = FsSymbols()
        physical = PhysicalMemory()
        try:
            memory = EnvMemory(physical, envs.pgdir_pa(index))
            opentab = symbols.lookup("opentab")
            gdb.write(f"file server: env {envs.field(index, 'env_id'):08x}, "
                      f"opentab at {int(opentab.value().address):#010x}\n")
            self._open_files(memory, opentab)
            self._block_cache(memory)
        finally:
            physical.close()
            symbols.close()

    def _open_files(self, memory, opentab):
        entry_type = opentab.type.strip_typedefs().target()
        count = opentab.type.strip_typedefs().sizeof // entry_type.sizeof
        slot = Layout(entry_type)
        file = Layout(entry_type["o_file"].type.strip_typedefs().target())
        fd = Layout(entry_type["o_fd"].type.strip_typedefs().target())
        page_info = Layout("struct PageInfo")
        pages = int(symbol_value("exo fs", "pages", "needs lab 2"))
        table = memory.read(int(opentab.value().address), slot.size * count)
        rows = []
        for i in range(count):
            fd_va = slot.get(table, i * slot.size, "o_fd")
            entry = memory.entries.get(fd_va)
            if entry is None:
                continue
            number = entry >> 12
            ref = page_info.get(read_virtual(pages + number * page_info.size,
                                             page_info.size), 0, "pp_ref")
            if ref <= 1:
                continue    # only the server maps it: a free slot
            fd_data = memory.read(fd_va, fd.size)
            row = [f"{slot.get(table, i * slot.size, 'o_fileid'):08x}",
                   open_mode(slot.get(table, i * slot.size, "o_mode")),
                   str(fd.get(fd_data, 0, "fd_offset", signed=True)), str(ref - 1)]
            file_va = slot.get(table, i * slot.size, "o_file")
            if file_va == 0:
                row += ["-", "-", "(removed)"]
            else:
                try:
                    f = memory.read(file_va, file.size)
                    name = f[:f.index(b"\0")].decode(errors="replace")
                    first = int.from_bytes(f[file.fields["f_direct"][0]:][:4], "little")
                    row += [str(file.get(f, 0, "f_size", signed=True)),
                            str(first) if first else "-", name]
                except ExoError:
                    row += ["?", "?", f"(its block is not cached: {file_va:#x})"]
            rows.append(row)
        gdb.write(f"open files: {len(rows)}\n")
        if rows:
            gdb.write("  fileid    mode                     offset clients   size  block  name\n")
            for r in rows:
                gdb.write(f"  {r[0]}  {r[1]:<24} {r[2]:>6} {r[3]:>7} {r[4]:>6} "
                          f"{r[5]:>6}  {r[6]}\n")

    def _block_cache(self, memory):
        cached = sorted((va - FS_DISKMAP) // FS_BLKSIZE for va in memory.entries
                        if FS_DISKMAP <= va < FS_DISKMAP + FS_DISKSIZE)
        dirty = [b for b in cached
                 if memory.entries[FS_DISKMAP + b * FS_BLKSIZE] & 0x040]   # PTE_D
        gdb.write(f"block cache: {len(cached)} blocks mapped at {FS_DISKMAP:#010x}, "
                  f"{len(dirty)} dirty (PTE_D, not yet flushed)\n")
        if dirty:
            gdb.write("  dirty blocks: " + " ".join(str(b) for b in dirty) + "\n")


def objdir():
    """The build's object directory: two levels above the kernel's
    symbol file (OBJDIR/kernel/kernel)."""
    objfile = kernel_objfile()
    if objfile is None:
        return "obj"
    return os.path.dirname(os.path.dirname(objfile.filename))


class ExoUser(gdb.Command):
    """Load a user program's symbols: exo user NAME|ENVID

NAME is a program (user/NAME.c, symbols in OBJDIR/user/NAME); ENVID
names a running environment, whose program name is read from its
stack.  Programs are linked at the addresses they run at, so the
symbols go in as they are; the previous program's are removed first
(every program uses the same addresses)."""
    loaded = None

    def __init__(self):
        super().__init__("exo user", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if len(args) != 1:
            raise ExoError("usage: exo user NAME|ENVID")
        name = args[0]
        path = os.path.join(objdir(), "user", name)
        if not os.path.exists(path):
            try:
                envid = int(name, 16)
            except ValueError:
                raise ExoError(f"exo user: there is no {path} (is user/{name}.c "
                               f"a program of this lab?)")
            envs = Envs("exo user")
            physical = PhysicalMemory()
            try:
                name = program_name(envs, envs.find(envid), physical)
            finally:
                physical.close()
            path = os.path.join(objdir(), "user", name)
            if not os.path.exists(path):
                raise ExoError(f"exo user: env {envid:08x} runs '{name}', but "
                               f"there is no {path}")
        if ExoUser.loaded:
            gdb.execute(f"remove-symbol-file {ExoUser.loaded}", to_string=True)
        gdb.execute(f"add-symbol-file {path}", to_string=True)
        ExoUser.loaded = path
        gdb.write(f"+ symbols of {name} from {os.path.relpath(path)}\n")


for command in (Exo, ExoEnvs, ExoPt, ExoPages, ExoTf, ExoCpus, ExoFs, ExoUser):
    command()
