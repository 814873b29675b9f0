"""A small client for QEMU's gdb stub, speaking the GDB Remote Serial
Protocol directly (no gdb binary needed).

A packet is `$data#xx`, where xx is the sum of data's bytes mod 256 in
hex; the receiver acknowledges with `+`.  We use only:
    ?              why did the target stop
    \x03           interrupt: stop a running target (not a packet)
    qfThreadInfo   list the threads (one per virtual CPU), continued
    qsThreadInfo   by these until the reply is "l"
    Hg<id>         the thread the next `g` reads
    Z0,addr,kind   set a software breakpoint
    z0,addr,kind   remove it
    c              continue (the reply arrives when it stops again)
    s              execute one instruction (the reply when it has)
    g              read the registers (i386: eax ecx edx ebx esp ebp
                   esi edi eip eflags cs ss ds es fs gs, 32 bits each,
                   little-endian hex)
    m addr,len     read memory
    M addr,len:xx  write memory (xx: the bytes in hex)
Reference: the GDB manual, appendix "Remote Protocol".
"""
import socket
import struct
from typing import Dict, List

from .checks import GradeFailure
from .unixsocket import connect

I386_REGISTERS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                  "eip", "eflags", "cs", "ss", "ds", "es", "fs", "gs"]


class GdbStub:
    def __init__(self, socket_path, timeout: float = 10.0):
        self.sock = connect(socket_path, timeout, "QEMU's gdb stub")
        self.buffer = b""

    def close(self):
        self.sock.close()

    def _send(self, data: str) -> None:
        checksum = sum(data.encode()) & 0xFF
        self.sock.sendall(b"$%s#%02x" % (data.encode(), checksum))

    def _receive(self, timeout: float, quiet: bool = False) -> str:
        """The next packet; on timeout, None if quiet, else a failure."""
        self.sock.settimeout(timeout)
        while True:
            start = self.buffer.find(b"$")
            end = self.buffer.find(b"#", start)
            if start >= 0 and end >= 0 and len(self.buffer) >= end + 3:
                packet = self.buffer[start + 1:end].decode()
                self.buffer = self.buffer[end + 3:]
                self.sock.sendall(b"+")
                return packet
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                if quiet:
                    return None
                raise GradeFailure(
                    f"QEMU's gdb stub did not answer within {timeout:g}s")
            if not chunk:
                raise GradeFailure("QEMU closed the gdb connection "
                                   "(did the kernel crash QEMU?)")
            self.buffer += chunk

    def command(self, data: str, timeout: float = 10.0) -> str:
        self._send(data)
        return self._receive(timeout)

    def set_breakpoint(self, address: int) -> None:
        if self.command("Z0,%x,1" % address) != "OK":
            raise GradeFailure(f"could not set a breakpoint at {address:#x}")

    def clear_breakpoint(self, address: int) -> None:
        self.command("z0,%x,1" % address)

    def cont(self, timeout: float) -> str:
        """Continue until the target stops; returns the stop reply."""
        return self.command("c", timeout)

    def step(self, timeout: float = 10.0) -> str:
        """Executes one instruction; returns the stop reply.  (To go on
        from a breakpoint, clear it and step first: QEMU would stop at
        it again.)"""
        return self.command("s", timeout)

    def resume(self) -> None:
        """Continue, without waiting for the target to stop (interrupt()
        stops it again)."""
        self._send("c")

    def wait_stop(self, timeout: float):
        """The stop reply of a resumed target, or None if it is still
        running after timeout seconds."""
        return self._receive(timeout, quiet=True)

    def interrupt(self, timeout: float = 10.0) -> str:
        """Stops a running target; returns the stop reply."""
        self.sock.sendall(b"\x03")
        return self._receive(timeout)

    def threads(self) -> List[int]:
        """The thread ids: QEMU has one per virtual CPU, CPU 0 first."""
        ids: List[int] = []
        reply = self.command("qfThreadInfo")
        while reply.startswith("m"):
            ids += [int(t, 16) for t in reply[1:].split(",") if t]
            reply = self.command("qsThreadInfo")
        return ids

    def thread_registers(self, thread: int) -> Dict[str, int]:
        """The registers of one thread (virtual CPU)."""
        if self.command("Hg%x" % thread) != "OK":
            raise GradeFailure(f"QEMU's gdb stub has no thread {thread}")
        return self.registers()

    def registers(self) -> Dict[str, int]:
        reply = self.command("g")
        try:
            values = struct.unpack_from("<%dI" % len(I386_REGISTERS),
                                        bytes.fromhex(reply))
        except (ValueError, struct.error):
            raise GradeFailure(f"QEMU's gdb stub sent no registers, "
                               f"but {reply[:40]!r}")
        return dict(zip(I386_REGISTERS, values))

    def read_memory(self, address: int, length: int) -> bytes:
        reply = self.command("m%x,%x" % (address, length))
        if reply.startswith("E"):
            raise GradeFailure(f"cannot read memory at {address:#x}")
        return bytes.fromhex(reply)

    def write_memory(self, address: int, data: bytes) -> None:
        if self.command("M%x,%x:%s" % (address, len(data), data.hex())) != "OK":
            raise GradeFailure(f"cannot write memory at {address:#x}")
