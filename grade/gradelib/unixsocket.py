"""Connecting to a Unix socket that QEMU is about to create."""
import socket
import time

from .checks import GradeFailure


def connect(path, timeout: float, what: str) -> socket.socket:
    """Connects to the Unix socket at path, retrying until QEMU has
    created it (it does so shortly after starting).  Raises GradeFailure
    naming `what` if that takes longer than timeout seconds."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + timeout
    while True:
        try:
            sock.connect(str(path))
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                sock.close()
                raise GradeFailure(f"could not connect to {what} at {path}")
            time.sleep(0.02)
