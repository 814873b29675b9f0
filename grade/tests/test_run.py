"""grade/run.py from end to end, on small labs made up in a temporary
directory: the verdicts, the score and the exit status, parallel
workers, the Gradescope JSON and JUnit XML, and what happens when a
test file does not import or a worker dies.

Each grading run happens once per module; the tests that examine its
output share it.
"""
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from test_qemu import is_running

RUN = Path(__file__).resolve().parents[1] / "run.py"

LABS = {
    # One test passing, one failing, one skipped, in two parts.
    "labx": """
        import pytest
        from gradelib import GradeFailure, points

        @points(3, part="A")
        def test_passes():
            '''A test that passes.'''

        @points(2, part="A")
        def test_fails():
            # Kernels print control characters, and messages quote them.
            raise GradeFailure("missing a line matching /6828 decimal/\\n"
                               "    closest line printed: \\x1b[2J6828 dec")

        @points(1, part="B")
        def test_skipped():
            pytest.skip("grub-mkrescue is not installed")

        @points(4, part="B")
        def test_passes_too():
            pass
    """,
    "full": """
        from gradelib import points

        @points(2)
        def test_one():
            pass

        @points(3)
        def test_two():
            pass
    """,
    "broken": """
        import no_such_module
        from gradelib import points

        @points(1)
        def test_never_runs():
            pass
    """,
    # The worker running test_crash dies; run alone, test_after dies
    # with it.
    "crash": """
        import os
        from gradelib import points

        @points(1)
        def test_before():
            pass

        @points(1)
        def test_crash():
            os._exit(3)

        @points(1)
        def test_after():
            pass
    """,
    "plain": """
        from gradelib import points

        @points(1)
        def test_plain_assert():
            assert [1, 2] == [1, 3]
    """,
    "teardown": """
        import pytest
        from gradelib import points

        @pytest.fixture
        def machine():
            yield
            raise RuntimeError("could not stop the machine")

        @points(2)
        def test_uses_machine(machine):
            pass
    """,
}


@pytest.fixture(scope="module")
def labs(tmp_path_factory) -> Path:
    """A directory holding each lab of LABS, as labname/test_labname.py."""
    root = tmp_path_factory.mktemp("labs")
    for name, source in LABS.items():
        (root / name).mkdir()
        (root / name / f"test_{name}.py").write_text(textwrap.dedent(source))
    (root / "empty").mkdir()
    return root


def grade(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Runs grade/run.py in cwd; a hang fails the test."""
    return subprocess.run([sys.executable, str(RUN), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def verdicts(stdout: str) -> set:
    """The `lab name: VERDICT` lines, without their times."""
    return {re.sub(r" \(\d+\.\ds\)", "", line) for line in stdout.splitlines()
            if re.match(r"\w+ \w+: (OK|FAIL|SKIP)", line)}


@pytest.fixture(scope="module")
def mixed(labs):
    run = grade(labs, "labx", "--json", "labx.json", "--junit", "labx.xml")
    # pytest's own --junitxml: a <testsuites> holding one <testsuite>.
    root = ET.parse(labs / "labx.xml").getroot()
    suite = root.find("testsuite") if root.tag == "testsuites" else root
    return run, json.loads((labs / "labx.json").read_text()), suite


@pytest.fixture(scope="module")
def mixed_parallel(labs):
    return grade(labs, "-n2", "labx")


# ------------------------------------------------------ the printed grade

def test_each_test_is_printed_with_its_verdict(mixed):
    run, _, _ = mixed
    assert verdicts(run.stdout) == {
        "labx passes: OK", "labx fails: FAIL", "labx passes_too: OK",
        "labx skipped: SKIP [grub-mkrescue is not installed]"}


def test_failure_message_is_printed_indented_under_the_test(mixed):
    run, _, _ = mixed
    assert re.search(r"^labx fails: FAIL \(\d+\.\ds\)\n"
                     r"    missing a line matching /6828 decimal/\n", run.stdout, re.M)


def test_parts_have_subtotals(mixed):
    run, _, _ = mixed
    # Part B's skipped point counts toward neither side.
    assert "\n  labx part A: 3/5\n  labx part B: 4/4  (1 points skipped)\n" in run.stdout


def test_score_line_sums_all_parts(mixed):
    run, _, _ = mixed
    assert re.search(r"^Score: 7/9  \(\d+\.\ds\)$", run.stdout, re.M)
    assert "1 points of skipped tests are not counted" in run.stdout


def test_skipped_test_earns_no_points(mixed):
    _, results, _ = mixed
    (skipped,) = [t for t in results["tests"] if t["name"] == "labx skipped"]
    assert skipped["score"] == 0


def test_less_than_full_marks_exits_1(mixed):
    run, _, _ = mixed
    assert run.returncode == 1, run.stderr


def test_full_marks_exit_0(labs):
    run = grade(labs, "full")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Score: 5/5" in run.stdout


def test_two_workers_give_the_same_verdicts_and_score(mixed, mixed_parallel):
    run, _, _ = mixed
    assert verdicts(mixed_parallel.stdout) == verdicts(run.stdout)
    assert "Score: 7/9" in mixed_parallel.stdout
    assert mixed_parallel.returncode == 1


def test_keyword_selects_tests(labs):
    run = grade(labs, "-k", "passes_too", "labx")
    assert verdicts(run.stdout) == {"labx passes_too: OK"}
    assert "Score: 4/4" in run.stdout and run.returncode == 0


def test_lab_paths_are_relative_to_the_current_directory(labs):
    run = grade(labs / "full", "../full")
    assert "Score: 5/5" in run.stdout, run.stdout + run.stderr


def test_absolute_lab_path_works(labs, tmp_path):
    run = grade(tmp_path, str(labs / "full"))
    assert "Score: 5/5" in run.stdout, run.stdout + run.stderr


def test_plain_assert_failure_shows_the_difference(labs):
    run = grade(labs, "plain")
    assert "At index 1 diff: 2 != 3" in run.stdout
    assert "no option named" not in run.stdout


def test_teardown_error_after_a_pass_is_a_failure(labs):
    run = grade(labs, "teardown")
    assert "teardown uses_machine: FAIL" in run.stdout
    assert "RuntimeError: could not stop the machine" in run.stdout
    assert "Score: 0/2" in run.stdout and run.returncode == 1


# ----------------------------------------------------------- Gradescope

def test_json_has_gradescope_shape(mixed):
    _, results, _ = mixed
    assert set(results) == {"tests", "execution_time", "score"}
    assert isinstance(results["execution_time"], float)
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output"}
        assert test["status"] in ("passed", "failed")


def test_json_scores_each_test(mixed):
    _, results, _ = mixed
    assert [(t["name"], t["score"], t["max_score"], t["status"])
            for t in results["tests"]] == [
        ("labx passes", 3, 3, "passed"),
        ("labx fails", 0, 2, "failed"),
        ("labx skipped", 0, 0, "passed"),  # worth nothing either way
        ("labx passes_too", 4, 4, "passed"),
    ]
    assert results["score"] == 7


def test_json_output_is_the_message_or_the_docstring(mixed):
    _, results, _ = mixed
    outputs = {t["name"]: t["output"] for t in results["tests"]}
    assert outputs["labx fails"].startswith("missing a line matching /6828 decimal/")
    assert outputs["labx skipped"] == "grub-mkrescue is not installed"
    assert outputs["labx passes"] == "A test that passes."


# ----------------------------------------------------------------- JUnit

def test_junit_counts_tests_failures_and_skips(mixed):
    _, _, suite = mixed
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) \
        == ("4", "1", "1")


def test_junit_failure_carries_the_message(mixed):
    _, _, suite = mixed
    (failure,) = suite.iter("failure")
    assert "missing a line matching /6828 decimal/" in failure.get("message")
    # The escape character XML cannot hold is spelled out (by pytest).
    assert "#x1B[2J6828 dec" in failure.get("message") + (failure.text or "")


def test_junit_names_each_case_by_lab_and_test(mixed):
    _, _, suite = mixed
    assert [(c.get("classname"), c.get("name")) for c in suite.iter("testcase")] \
        == [("labx.test_labx", "test_passes"), ("labx.test_labx", "test_fails"),
            ("labx.test_labx", "test_skipped"), ("labx.test_labx", "test_passes_too")]


# --------------------------------------------------------- broken labs

def test_import_error_is_a_collection_error_with_exit_2(labs):
    run = grade(labs, "broken")
    assert run.returncode == 2
    assert "error collecting broken/test_broken.py:\n" \
           "ImportError while importing test module" in run.stderr
    assert "No module named 'no_such_module'" in run.stderr
    assert "no option named" not in run.stderr
    assert "Score" not in run.stdout


def test_import_error_stops_the_other_labs_too(labs):
    run = grade(labs, "full", "broken")
    assert run.returncode == 2 and "Score" not in run.stdout


def test_lab_without_tests_exits_2(labs):
    run = grade(labs, "empty")
    assert run.returncode == 2
    assert "no tests found in empty" in run.stderr


@pytest.fixture(scope="module")
def crash(labs):
    return grade(labs, "crash")


def test_crashed_worker_fails_its_tests(crash):
    assert verdicts(crash.stdout) == {
        "crash before: OK", "crash crash: FAIL", "crash after: FAIL"}
    assert "Score: 1/3" in crash.stdout and crash.returncode == 1


def test_crashed_worker_failure_says_the_worker_failed(crash):
    assert "    the test did not report a result (the pytest worker failed):" \
        in crash.stdout


def test_crashed_worker_spares_the_other_workers_tests(labs):
    # pytest-xdist replaces the crashed worker: the other tests still run.
    run = grade(labs, "-n2", "crash")
    assert verdicts(run.stdout) == {
        "crash before: OK", "crash crash: FAIL", "crash after: OK"}


# -- an interrupted grader leaves no QEMU behind -------------------------------

HANGING_LAB = """
    import os
    from gradelib import points, run_kernel

    def boot(name):
        run_kernel(name, (), timeout=120,
                   extra=["-pidfile", os.path.join(os.environ["PIDDIR"], name + ".pid")])

    @points(1)
    def test_hang_a():
        boot("a")

    @points(1)
    def test_hang_b():
        boot("b")
"""


@pytest.mark.parametrize("jobs,signum", [("-n1", signal.SIGTERM), ("-n2", signal.SIGTERM),
                                         ("-n2", signal.SIGINT), ("-n2", signal.SIGKILL)])
def test_interrupt_leaves_no_qemu_running(tmp_path, jobs, signum):
    """grade/run.py, sent SIGTERM or SIGINT while its tests wait on (fake)
    QEMUs that would run for minutes, ends with status 128 + the signal,
    and every QEMU it started is gone: QEMUs run in sessions of their
    own, so only the grader's clean-up can end them.  Even SIGKILL (make
    autograde's time limit without a sandbox) leaves none behind."""
    lab = tmp_path / "hanging"
    lab.mkdir()
    (lab / "test_hanging.py").write_text(textwrap.dedent(HANGING_LAB))
    objdir, piddir = tmp_path / "obj", tmp_path / "pids"
    objdir.mkdir()
    piddir.mkdir()
    (objdir / "kernel.img").touch()
    env = dict(os.environ, EXOLAB_OBJDIR=str(objdir), PIDDIR=str(piddir),
               EXOLAB_QEMU=f"{sys.executable} {Path(__file__).parent / 'fake_qemu.py'}",
               FAKE_QEMU_MODE="hang")
    proc = subprocess.Popen([sys.executable, str(RUN), jobs, "hanging"], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    expected = 2 if jobs == "-n2" else 1
    deadline = time.monotonic() + 60
    while len(list(piddir.glob("*.pid"))) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)  # the pid files are written whole
    pids = [int(p.read_text()) for p in piddir.glob("*.pid")]
    assert len(pids) == expected, "the fake QEMUs did not start"
    proc.send_signal(signum)
    try:
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    if signum != signal.SIGKILL:
        assert proc.returncode == 128 + signum, stdout + stderr
    deadline = time.monotonic() + 5
    while any(map(is_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(is_running, pids)), f"QEMUs still running: {pids}"
