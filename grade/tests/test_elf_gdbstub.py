"""symbols() on ELF files, and GdbStub against a fake gdb stub."""
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from gradelib import GdbStub, GradeFailure, symbols

# A built kernel, if there is one: EXOLAB_OBJDIR's (make test sets it)
# or the default build's.
KERNEL = Path(os.environ.get("EXOLAB_OBJDIR",
                             Path(__file__).resolve().parents[2] / "obj")) / "kernel" / "kernel"


# --------------------------------------------------------------------- ELF

def elf32(syms: Dict[str, int], duplicates=()) -> bytes:
    """A minimal little-endian ELF32 file: a header and three sections
    (null, .symtab, .strtab), holding the symbols `syms`, then
    `duplicates` (name, value) pairs, and one unnamed (section) symbol."""
    strtab = b"\0"
    entries = [struct.pack("<IIIBBH", 0, 0, 0, 0, 0, 0)]     # symbol 0
    entries.append(struct.pack("<IIIBBH", 0, 0x1234, 0, 3, 0, 1))  # section
    for name, value in list(syms.items()) + list(duplicates):
        entries.append(struct.pack("<IIIBBH", len(strtab), value, 0, 0x12, 0, 1))
        strtab += name.encode() + b"\0"
    symtab = b"".join(entries)
    symtab_offset = 52
    strtab_offset = symtab_offset + len(symtab)
    shoff = strtab_offset + len(strtab)
    sections = [
        struct.pack("<10I", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        # .symtab: type 2, its strings in section 2 (sh_link), 16-byte entries
        struct.pack("<10I", 0, 2, 0, 0, symtab_offset, len(symtab), 2, 1, 4, 16),
        # .strtab: type 3
        struct.pack("<10I", 0, 3, 0, 0, strtab_offset, len(strtab), 0, 0, 1, 0),
    ]
    header = struct.pack("<16sHHIIIIIHHHHHH",
                         b"\x7fELF\x01\x01\x01" + bytes(9),
                         2, 3, 1, 0xF010000C, 0, shoff, 0, 52, 0, 0, 40,
                         len(sections), 0)
    return header + symtab + strtab + b"".join(sections)


TINY = {"entry": 0xF010000C, "etext": 0xF0101234, "end": 0xF0112000,
        "test_backtrace": 0xF0100040}


def test_symbols_reads_every_named_symbol(tmp_path):
    path = tmp_path / "kernel"
    path.write_bytes(elf32(TINY))
    assert symbols(path) == TINY


def test_symbols_keeps_the_first_of_two_symbols_with_one_name(tmp_path):
    path = tmp_path / "kernel"
    path.write_bytes(elf32(TINY, duplicates=[("entry", 0x100000)]))
    assert symbols(path)["entry"] == 0xF010000C


def test_symbols_of_a_file_without_symbols_is_empty(tmp_path):
    path = tmp_path / "kernel"
    path.write_bytes(elf32({}))
    assert symbols(path) == {}


def test_symbols_rejects_a_file_that_is_not_elf(tmp_path):
    path = tmp_path / "kernel"
    path.write_bytes(b"#!/bin/sh\necho not a kernel\n")
    with pytest.raises(GradeFailure, match="is not a 32-bit ELF file"):
        symbols(path)


def test_symbols_rejects_a_64_bit_elf_file(tmp_path):
    data = bytearray(elf32(TINY))
    data[4] = 2                                    # ELFCLASS64
    path = tmp_path / "kernel"
    path.write_bytes(bytes(data))
    with pytest.raises(GradeFailure, match="is not a 32-bit ELF file"):
        symbols(path)


@pytest.mark.parametrize("length", [0, 4, 30, 100])
def test_symbols_of_a_truncated_file_is_a_grade_failure(tmp_path, length):
    path = tmp_path / "kernel"
    path.write_bytes(elf32(TINY)[:length])
    with pytest.raises(GradeFailure):
        symbols(path)


def nm_symbols(path: Path) -> Dict[str, int]:
    """nm's view of path: the defined symbols whose names occur once."""
    out = subprocess.run(["nm", "--defined-only", str(path)], check=True,
                         capture_output=True, text=True).stdout
    seen: Dict[str, List[int]] = {}
    for line in out.splitlines():
        value, _kind, name = line.split(maxsplit=2)
        seen.setdefault(name, []).append(int(value, 16))
    return {name: v[0] for name, v in seen.items() if len(v) == 1}


needs_kernel = pytest.mark.skipif(
    not KERNEL.exists() or shutil.which("nm") is None,
    reason="needs a built kernel (obj/kernel/kernel) and nm")


@needs_kernel
def test_symbols_of_the_kernel_agree_with_nm():
    ours = symbols(KERNEL)
    theirs = nm_symbols(KERNEL)
    assert {name: ours.get(name) for name in theirs} == theirs


@needs_kernel
def test_symbols_of_the_kernel_include_what_lab1_uses():
    names = symbols(KERNEL)
    assert {"entry", "etext", "edata", "end", "test_backtrace"} <= set(names)


# ------------------------------------------------------------ the gdb stub

def packet(data: str) -> bytes:
    """data framed as the remote protocol's $data#checksum."""
    return b"$%s#%02x" % (data.encode(), sum(data.encode()) & 0xFF)


class FakeStub(threading.Thread):
    """A gdb stub on a Unix socket, serving one connection: it
    acknowledges each packet with '+' and answers it from `replies`,
    keyed by the packet's first letter: a reply string, a list of raw
    chunks to send one by one, None (no answer) or CLOSE (hang up).
    `received` holds every byte the client sent, `commands` the data
    of each packet, `bad_checksums` the packets whose checksum is wrong."""

    CLOSE = "close"

    def __init__(self, path: Path, replies: dict, listen_after: float = 0.0):
        super().__init__(daemon=True)
        self.path = path
        self.replies = replies
        self.listen_after = listen_after
        self.received = b""
        self.pending = b""
        self.commands: List[str] = []
        self.bad_checksums: List[bytes] = []
        self.start()

    def run(self) -> None:
        time.sleep(self.listen_after)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(self.path))
        server.listen(1)
        conn, _ = server.accept()
        server.close()
        with conn:
            while True:
                raw = self._next_packet(conn)
                if raw is None:
                    return
                data = raw[1:-3].decode()
                if raw != packet(data):
                    self.bad_checksums.append(raw)
                self.commands.append(data)
                conn.sendall(b"+")
                reply = self.replies.get(data[:1])
                if reply == FakeStub.CLOSE:
                    return
                if isinstance(reply, str):
                    conn.sendall(packet(reply))
                elif isinstance(reply, list):
                    for chunk in reply:
                        conn.sendall(chunk)
                        time.sleep(0.01)

    def _next_packet(self, conn: socket.socket) -> Optional[bytes]:
        """The next whole $data#xx the client sent (acks skipped), or
        None once it hangs up."""
        while True:
            start = self.pending.find(b"$")
            end = self.pending.find(b"#", start + 1) if start >= 0 else -1
            if end >= 0 and len(self.pending) >= end + 3:
                raw = self.pending[start:end + 3]
                self.pending = self.pending[end + 3:]
                return raw
            chunk = conn.recv(4096)
            if not chunk:
                return None
            self.received += chunk
            self.pending += chunk


@pytest.fixture
def socket_path():
    # A short directory: a Unix socket's path is limited to 107 bytes.
    directory = Path(tempfile.mkdtemp(prefix="gdb-"))
    yield directory / "gdb.sock"
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def serve(socket_path):
    """serve(replies) starts a fake stub answering with `replies` and
    returns a GdbStub connected to it (closed after the test)."""
    clients = []

    def serve(replies: dict, listen_after: float = 0.0) -> GdbStub:
        FakeStub(socket_path, replies, listen_after)
        clients.append(GdbStub(socket_path, timeout=3))
        return clients[-1]

    yield serve
    for client in clients:
        client.close()


def conversation(socket_path: Path, replies: dict, *commands: str) -> FakeStub:
    """The fake stub, after a client has sent it each command and hung up."""
    stub = FakeStub(socket_path, replies)
    client = GdbStub(socket_path, timeout=3)
    for command in commands:
        client.command(command, timeout=3)
    client.close()
    stub.join(3)
    return stub


def test_packets_carry_their_checksum(socket_path):
    stub = conversation(socket_path, {"?": "S05", "g": "00", "c": "T05"},
                        "?", "g", "c")
    # The checksums of the GDB manual's examples.
    assert stub.received.startswith(b"$?#3f")
    assert b"$g#67" in stub.received and b"$c#63" in stub.received


def test_packets_with_arguments_carry_their_checksum(socket_path):
    stub = conversation(socket_path, {"Z": "OK", "m": "00"},
                        "Z0,10000c,1", "m5000,4")
    assert stub.commands == ["Z0,10000c,1", "m5000,4"]
    assert stub.bad_checksums == []


def test_every_reply_is_acknowledged(socket_path):
    stub = conversation(socket_path, {"?": "S05", "g": "00"}, "?", "g")
    assert stub.received == b"$?#3f+$g#67+"


def test_command_returns_the_reply_without_its_framing(serve):
    assert serve({"?": "T05thread:01;"}).command("?") == "T05thread:01;"


def test_reply_split_across_reads_is_put_back_together(serve):
    reply = packet("T05thread:01;")
    client = serve({"c": [reply[:4], reply[4:-1], reply[-1:]]})
    assert client.cont(timeout=3) == "T05thread:01;"


def i386_g_reply(values: Dict[str, int], extra_registers: int = 8) -> str:
    """A `g` reply as QEMU sends it: 16 32-bit registers in little-endian
    hex, then more (segment bases, control and FPU registers)."""
    order = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
             "eip", "eflags", "cs", "ss", "ds", "es", "fs", "gs"]
    raw = struct.pack("<16I", *(values.get(r, 0) for r in order))
    return (raw + bytes(4 * extra_registers)).hex()


def test_registers_are_read_from_the_g_reply(serve):
    regs = {"eax": 0x4C4F5845, "ebx": 0x5000, "esp": 0x7C00,
            "eip": 0x10000C, "eflags": 0x46, "cs": 0x8}
    got = serve({"g": i386_g_reply(regs)}).registers()
    assert len(got) == 16
    assert got == {**dict.fromkeys(got, 0), **regs}


def test_register_error_reply_is_a_grade_failure(serve):
    with pytest.raises(GradeFailure, match="sent no registers"):
        serve({"g": "E01"}).registers()


def test_memory_is_decoded_from_hex(serve):
    assert serve({"m": "45584f4c"}).read_memory(0x5000, 4) == b"EXOL"


def test_memory_error_reply_is_a_grade_failure(serve):
    with pytest.raises(GradeFailure, match="cannot read memory at 0xf0000000"):
        serve({"m": "E14"}).read_memory(0xF0000000, 4)


def test_breakpoint_the_stub_refuses_is_a_grade_failure(serve):
    with pytest.raises(GradeFailure,
                       match="could not set a breakpoint at 0x10000c"):
        serve({"Z": ""}).set_breakpoint(0x10000C)


def test_silent_stub_times_out(serve):
    client = serve({"c": None})
    started = time.monotonic()
    with pytest.raises(GradeFailure, match=r"did not answer within 0\.3s"):
        client.cont(timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 1.5


def test_stub_hanging_up_is_a_grade_failure(serve):
    with pytest.raises(GradeFailure, match="closed the gdb connection"):
        serve({"c": FakeStub.CLOSE}).cont(timeout=3)


def test_connect_waits_for_the_socket_to_appear(serve):
    # QEMU creates the socket a moment after it starts.
    started = time.monotonic()
    client = serve({"?": "S05"}, listen_after=0.3)
    assert time.monotonic() - started >= 0.3
    assert client.command("?") == "S05"


def test_connect_gives_up_at_its_timeout(socket_path):
    started = time.monotonic()
    with pytest.raises(GradeFailure, match="could not connect to QEMU's gdb stub"):
        GdbStub(socket_path, timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 1.5
