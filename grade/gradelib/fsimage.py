"""Lab 5's disk: the file system image the file server runs on.

A test that boots the file server gets its own writable copy of the
built image (fresh_disk), so tests run in parallel and none sees
another's writes; a test that reboots passes the same copy twice.
After a run that wrote, the test checks the copy with the host fsck
(user/fs/fsck.py) and reads files back from it, so what it checks is
the disk itself, not what a program printed about it.
"""
import importlib.util
from pathlib import Path
from typing import List

from .checks import GradeFailure
from .config import ROOT, build


def _load(name: str):
    """user/fs/NAME.py, the host tools the build uses, as a module."""
    path = ROOT / "user" / "fs" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"exolab_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fresh_disk(directory: Path, name: str = "fs.img") -> Path:
    """A private, writable copy of the built fs.img in directory.  The
    copy is sparse: the image is mostly free blocks, all zeros, and a
    grading run makes a copy per test."""
    image = build().require(build().objdir / "fs.img")
    directory.mkdir(parents=True, exist_ok=True)
    copy = directory / name
    block = 1 << 16
    with open(image, "rb") as src, open(copy, "wb") as dst:
        while True:
            chunk = src.read(block)
            if not chunk:
                break
            if chunk.count(0) == len(chunk):
                dst.seek(len(chunk), 1)
            else:
                dst.write(chunk)
        dst.truncate()
    return copy


def fsck(image: Path) -> List[str]:
    """The host fsck's problems with image ([] if it is clean)."""
    return _load("fsck").Image.open(image).problems()


def read_file(image: Path, path: str) -> bytes:
    """The contents of the file at path on image (GradeFailure if none)."""
    try:
        return _load("fsck").Image.open(image).read(path)
    except KeyError:
        raise GradeFailure(f"there is no {path} on the disk image {image}")


def image_builder():
    """user/fs/mkfsimg.py's FsImage class, for building test images."""
    return _load("mkfsimg").FsImage


def fs_format():
    """user/fs/mkfsimg.py as a module: the on-disk format's constants
    (BLKSIZE, MAXNAMELEN, NDIRECT...) have their one host home there."""
    return _load("mkfsimg")


def fsck_module():
    return _load("fsck")
