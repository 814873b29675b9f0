"""The grader and its tooling stay Python 3.10 code (Ubuntu 22.04, the
Gradescope image): grade/tools/pycompat.py finds no 3.11-only syntax or
name in the tree, and it does find each kind when one is planted."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import pycompat  # noqa: E402


def test_every_python_file_of_the_tree_is_python_3_10():
    files = pycompat.python_files()
    names = {str(p.relative_to(pycompat.ROOT)) for p in files}
    # The check covers the grader, the tooling and the build's scripts.
    assert {"grade/run.py", "grade/gradelib/plugin.py", "grade/tools/autograde.py",
            "grade/tools/gradescope.py", "grade/gdb/exolab.py"} <= names
    found = [line for path in files for line in
             pycompat.problems(path.read_text(encoding="utf-8"), str(path))]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("source, what", [
    ("try:\n    pass\nexcept* ValueError:\n    pass\n", "not Python 3.10 syntax"),
    ("import tomllib\n", "module tomllib"),
    ("import datetime\nnow = datetime.datetime.now(datetime.UTC)\n", "datetime.UTC"),
    ("import datetime as dt\nzone = dt.UTC\n", "datetime.UTC"),
    ("from datetime import UTC\n", "datetime.UTC"),
    ("from typing import Self\n", "typing.Self"),
    ("import typing\ndef f() -> typing.Self: ...\n", "typing.Self"),
    ("raise ExceptionGroup('x', [ValueError()])\n", "ExceptionGroup"),
    ("from enum import StrEnum\n", "enum.StrEnum"),
    ("import asyncio\nasync def f():\n    async with asyncio.TaskGroup():\n        pass\n",
     "asyncio.TaskGroup"),
    ("import hashlib\nhashlib.file_digest(open('f', 'rb'), 'sha256')\n", "hashlib.file_digest"),
    ("import contextlib\nwith contextlib.chdir('/'):\n    pass\n", "contextlib.chdir"),
    ("from contextlib import chdir\n", "contextlib.chdir"),
    ("e = ValueError()\ne.add_note('why')\n", ".add_note()"),
    ("import itertools\nitertools.batched([], 2)\n", "itertools.batched"),
])
def test_each_kind_of_3_11_code_is_found(source, what):
    found = pycompat.problems(source, "planted.py")
    assert found and what in found[0], found


def test_3_10_code_passes():
    source = ("import datetime\nfrom typing import Optional\n"
              "def f(x: int | None) -> Optional[int]:\n"
              "    match x:\n        case None:\n            return None\n"
              "    return datetime.timezone.utc and x\n")
    assert pycompat.problems(source, "fine.py") == []
