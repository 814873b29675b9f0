"""docs/gdb.md's debugging sessions (and the kernel traces the handouts
show) are what a real run shows
(gdb_transcripts.py runs them; numbers may move, nothing else)."""
import os
import shutil

import pytest

import gdb_transcripts
from gradelib.config import build

pytestmark = pytest.mark.skipif(
    not build().kernel.exists() or shutil.which(gdb_transcripts.GDB) is None
    or shutil.which(os.environ.get("QEMU", "qemu-system-i386")) is None
    or (build().lab, build().sol) != (5, 5),
    reason="needs the default build (EXOLAB_OBJDIR), QEMU and gdb")


@pytest.mark.parametrize("name", sorted(gdb_transcripts.SESSIONS)
                         + sorted(gdb_transcripts.TRACES))
def test_transcript_in_docs_matches_a_real_run(name):
    diff = gdb_transcripts.check(name)
    assert not diff, ("the documented transcript differs from a run; after "
                      "checking why, regenerate it with python3 "
                      "grade/tests/gdb_transcripts.py --write\n" + "\n".join(diff))
