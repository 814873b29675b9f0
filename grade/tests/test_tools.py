"""The course staff's tools (grade/tools): what the handout strips and
fills in, and what make test reads from a handout."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import handout  # noqa: E402
import stages  # noqa: E402


def test_instructor_blocks_and_lines_are_dropped():
    text = ("keep 1\n\n<!-- instructor-only { -->\nsecret\n<!-- } instructor-only -->\n\n"
            "keep 2\nSOL ?= 5  # instructor-only\nkeep 3\n")
    assert handout.strip_instructor_blocks(text, "x.md") == "keep 1\n\nkeep 2\nkeep 3\n"


def test_a_marker_named_in_prose_is_not_a_marker():
    text = "between `instructor-only {` and `} instructor-only` lines\n"
    assert handout.strip_instructor_blocks(text, "x.md") == text


def test_an_unfinished_block_is_an_error():
    with pytest.raises(SystemExit):
        handout.strip_instructor_blocks("# instructor-only {\nx\n", "GNUmakefile")


def test_blank_runs_left_by_unifdef_collapse():
    assert handout.collapse_blank_runs("a\n\n\n\nb\n\nc\n") == "a\n\nb\n\nc\n"


def test_placeholders_become_the_branch_line_numbers(tmp_path):
    (tmp_path / "kernel").mkdir()
    (tmp_path / "kernel" / "init.c").write_text("int x;\nvoid\nf(void)\n{\n\tg(1,  2);\n}\n")
    (tmp_path / "lab1").mkdir()
    readme = tmp_path / "lab1" / "README.md"
    readme.write_text("at kernel/init.c:{{line kernel/init.c: g(1, 2);}} "
                      "and {{line+1 kernel/init.c: f(void)}}\n")
    handout.fill_placeholders(tmp_path, 1)
    assert readme.read_text() == "at kernel/init.c:5 and 4\n"
    readme.write_text("{{line kernel/init.c: nowhere}}\n")
    with pytest.raises(SystemExit):
        handout.fill_placeholders(tmp_path, 1)


def test_merge_commands_come_from_the_handout_as_printed():
    readme = ("## Getting started\n\n### Merging lab 2 into your work\n\nFirst commit.\n\n"
              "    git fetch origin\n    git checkout -b lab2   # yours\n    git merge origin/lab2\n"
              "\nThen:\n\n    make grade\n")
    assert stages.merge_commands(readme) == [
        "git fetch origin", "git checkout -b lab2   # yours", "git merge origin/lab2"]
    assert stages.merge_commands("## Getting started\n") == []


def test_a_stub_needs_its_contract_comment():
    with_contract = ("/* Does f's job. */\nvoid\nf(void)\n{\n"
                     "\t/* LAB 1: Your code here (exercise 2). */\n}\n")
    without = "int y;\n\nvoid\nf(void)\n{\n\t/* LAB 1: Your code here (exercise 2). */\n}\n"
    assert stages.missing_contracts(with_contract, "a.c") == []
    assert stages.missing_contracts(without, "a.c") == [
        "a.c:6: the function at line 3 has no contract comment above it"]
    assembly = "/* The stubs: one per vector. */\n/* LAB 3: Your code here (exercise 4). */\n"
    assert stages.missing_contracts(assembly, "t.S") == []
    assert stages.missing_contracts(".text\n\n" + assembly.split("\n", 1)[1], "t.S")
