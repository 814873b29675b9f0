"""How autograde reads a submission (grade/tools/autograde.py's
Submission): from a git repository, whoever owns it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import autograde  # noqa: E402


def make_repo(path: Path):
    (path / "kernel").mkdir(parents=True)
    (path / "kernel" / "monitor.c").write_text("int graded = 1;\n")
    (path / "kernel" / "other.c").write_text("int not_in_the_manifest;\n")
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=S", "-c", "user.email=s@exolab.invalid",
                  "commit", "-q", "-m", "work"]):
        subprocess.run(["git", *args], cwd=path, check=True, capture_output=True)


def test_the_manifest_files_come_from_the_commit(tmp_path):
    make_repo(tmp_path / "repo")
    sub = autograde.Submission(tmp_path / "repo", ["kernel/monitor.c"]).read()
    assert sub.files == {"kernel/monitor.c": b"int graded = 1;\n"}


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository away")
def test_a_repository_someone_else_owns_is_read(tmp_path):
    """git refuses a repository another user owns ("dubious ownership")
    unless told it is safe; a student's repository copied as is belongs
    to someone else, and must not score 0 for that."""
    repo = tmp_path / "repo"
    make_repo(repo)
    subprocess.run(["chown", "-R", "65534:65534", str(repo)], check=True)
    sub = autograde.Submission(repo, ["kernel/monitor.c"]).read()
    assert sub.files == {"kernel/monitor.c": b"int graded = 1;\n"}, sub.notes
