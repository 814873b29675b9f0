#!/usr/bin/env python3
"""Grade ExoLab labs: run their tests and print the score.

    python3 grade/run.py [-n N] [--json FILE] [--junit FILE] [-k EXPR] lab1 lab2 ...

Each lab directory holds pytest tests (test_*.py) that declare points
with gradelib.points.  pytest runs them, N at a time with pytest-xdist
(default 1, without it), with gradelib's plugin printing each verdict
as it arrives; then this prints the subtotal of each part and the
score.  The exit status is 0 only for full marks, 2 if the tests could
not be collected.

--json writes Gradescope's results.json; --junit, pytest's JUnit XML.

Why a first pytest run that only collects: the points of every test
must be known even when its process dies before reporting (a test may
crash the Python running it), and with pytest-xdist the controlling
process never collects.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def pytest_command(extra, rootdir=ROOT):
    """pytest with the grader's configuration only: its ini file (-c),
    no cache, no conftest.py (a lab's tests get their fixtures from
    gradelib), so that no file beside the tests can change a verdict;
    gradelib importable from grade/ alone."""
    env_path = os.pathsep.join(
        [str(HERE)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    env = dict(os.environ, PYTHONPATH=env_path, PYTHONDONTWRITEBYTECODE="1")
    # gradelib.qemu: on SIGTERM, pytest (the leader of the process group
    # run_pytest makes) passes it on to its xdist workers.
    env["EXOLAB_GRADER_GROUP"] = "1"
    cmd = [sys.executable, "-m", "pytest", "-c", str(HERE / "pytest.ini"),
           "--rootdir", str(rootdir), "--noconftest", "-p", "no:cacheprovider",
           "-p", "gradelib.plugin", "-p", "no:terminal"] + extra
    return cmd, env


def _die_with_parent():
    """A preexec_fn that has Linux send the child SIGTERM when this
    process dies, even of SIGKILL (make autograde's time limit, without
    a sandbox, kills the grader's process group, which pytest has left);
    None where prctl is not to be had.  (Safe in preexec_fn: this
    process has no other thread.)"""
    try:
        import ctypes
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    PR_SET_PDEATHSIG = 1
    return lambda: prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def run_pytest(cmd, **options):
    """subprocess.run for pytest, in a process group of its own: when
    this grader is interrupted (SIGINT, SIGTERM, SIGHUP), the whole
    group (pytest and its xdist workers) gets SIGTERM, on which gradelib
    kills the QEMUs it started (they run in sessions of their own, out
    of reach of any group signal) before it dies.  Without the
    forwarding, a SIGTERM to this process left pytest and its QEMUs
    running, orphans."""
    proc = subprocess.Popen(cmd, start_new_session=True, preexec_fn=_die_with_parent(),
                            **options)
    interrupted = []

    def forward(signum, frame):
        interrupted.append(signum)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    previous = {n: signal.signal(n, forward)
                for n in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        stdout, stderr = proc.communicate()
    finally:
        for n, handler in previous.items():
            signal.signal(n, handler)
    if interrupted:
        # Whatever is left of the group after its clean-up.
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        print(f"grade: interrupted (signal {interrupted[0]}): the tests and their "
              f"QEMUs were stopped", file=sys.stderr)
        sys.exit(128 + interrupted[0])
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def rootdir_for(labs):
    """pytest's rootdir: the repository, or the directory holding the
    labs if they lie outside it.  Test ids are paths relative to it."""
    if all(ROOT in lab.parents for lab in labs):
        return ROOT
    return Path(os.path.commonpath([lab.parent for lab in labs]))


def have_xdist():
    try:
        import xdist  # noqa: F401
        return True
    except ImportError:
        return False


def score(tests, results):
    """(earned, possible, skipped) points per (lab, part), in collection
    order.  A skipped test (its tool is not installed here, say) counts
    toward neither earned nor possible points: the machine, not the
    student, is missing something.  It is reported separately."""
    parts = OrderedDict()
    for nodeid, test in tests.items():
        key = (test["lab"], test["part"])
        earned, possible, skipped = parts.get(key, (0, 0, 0))
        outcome = results.get(nodeid, {}).get("outcome")
        if outcome == "skipped":
            skipped += test["points"]
        else:
            possible += test["points"]
            if outcome == "passed":
                earned += test["points"]
        parts[key] = (earned, possible, skipped)
    return parts


def write_json(path, tests, results, elapsed):
    out = {"tests": [], "execution_time": round(elapsed, 2)}
    total = 0
    for nodeid, test in tests.items():
        rec = results.get(nodeid, {})
        passed = rec.get("outcome") == "passed"
        skipped = rec.get("outcome") == "skipped"
        total += test["points"] if passed else 0
        out["tests"].append({
            "name": f"{test['lab']} {test['name']}",
            "score": test["points"] if passed else 0,
            # A skipped test is worth nothing either way, as in the
            # printed score.
            "max_score": 0 if skipped else test["points"],
            "status": "passed" if passed or skipped else "failed",
            "output": rec.get("message", "") or test.get("doc", ""),
        })
        if test.get("file"):
            out["tests"][-1]["file"] = test["file"]
    out["score"] = total
    Path(path).write_text(json.dumps(out, indent=2) + "\n")


def read_results(path):
    """The verdicts the plugin wrote; per test, its first failure wins
    (a teardown error after a pass)."""
    results = {}
    if not path.exists():
        return results
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        previous = results.get(rec["nodeid"])
        if previous and previous["outcome"] != "passed":
            continue
        results[rec["nodeid"]] = rec
    return results


def main():
    parser = argparse.ArgumentParser(description="Grade ExoLab labs.")
    parser.add_argument("labs", nargs="+", help="lab directories (lab1 ...)")
    parser.add_argument("-n", "--jobs", type=int, default=1,
                        help="tests to run at once (default 1)")
    parser.add_argument("-k", dest="keyword", help="only tests matching EXPR")
    parser.add_argument("--json", help="write Gradescope results.json here")
    parser.add_argument("--junit", help="write JUnit XML here")
    args = parser.parse_args()

    started = time.monotonic()
    # Lab paths are relative to where the grader was started.
    labs = [Path(lab).resolve() for lab in args.labs]
    rootdir = rootdir_for(labs)
    keyword = ["-k", args.keyword] if args.keyword else []
    with tempfile.TemporaryDirectory(prefix="exolab-grade-") as tmp:
        tests_file, results_file = Path(tmp) / "tests.json", Path(tmp) / "results.jsonl"
        cmd, env = pytest_command(["--collect-only", "--exolab-tests", str(tests_file),
                                   *keyword, *map(str, labs)], rootdir)
        proc = run_pytest(cmd, cwd=rootdir, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
        collected = json.loads(tests_file.read_text()) if tests_file.exists() else None
        if collected is None:
            print(f"error collecting the tests:\n{proc.stdout}{proc.stderr}", file=sys.stderr)
            return 2
        for err in collected["errors"]:
            print(f"error collecting {err['where']}:\n{err['message']}", file=sys.stderr)
        if collected["errors"]:
            return 2
        tests = OrderedDict((t["nodeid"], t) for t in collected["tests"])
        if not tests:
            print("no tests found in " + " ".join(args.labs), file=sys.stderr)
            return 2

        jobs = max(1, min(args.jobs, len(tests)))
        if jobs > 1 and not have_xdist():
            print("warning: pytest-xdist is not installed (Debian/Ubuntu: sudo apt install "
                  "python3-pytest-xdist): running the tests one at a time", file=sys.stderr)
            jobs = 1
        # Several at once: pytest-xdist, each test to the next free worker
        # (a crashed worker is replaced).  One: no worker processes at all.
        parallel = ["-p", "xdist", "-n", str(jobs)] if jobs > 1 else ["-p", "no:xdist"]
        junit = ["--junitxml", str(Path(args.junit).resolve())] if args.junit else []
        cmd, env = pytest_command([*parallel, "--exolab-tests", str(tests_file),
                                   "--exolab-results", str(results_file), *junit,
                                   *keyword, *tests], rootdir)
        proc = run_pytest(cmd, cwd=rootdir, env=env, stderr=subprocess.PIPE, text=True)
        results = read_results(results_file)
    # A test whose process died before it reported must not pass.
    for nodeid, test in tests.items():
        if nodeid not in results:
            results[nodeid] = {"outcome": "failed", "duration": 0.0,
                               "message": "the test did not report a result (the pytest "
                               "worker failed):\n" + proc.stderr[-2000:]}
            print(f"{test['lab']} {test['name']}: FAIL (0.0s)")
            for line in results[nodeid]["message"].splitlines():
                print("    " + line)
    elapsed = time.monotonic() - started

    parts = score(tests, results)
    print()
    earned_total = possible_total = skipped_total = 0
    for (lab, part), (earned, possible, skipped) in parts.items():
        label = f"{lab} part {part}" if part else lab
        note = f"  ({skipped} points skipped)" if skipped else ""
        print(f"  {label}: {earned}/{possible}{note}")
        earned_total += earned
        possible_total += possible
        skipped_total += skipped
    print(f"Score: {earned_total}/{possible_total}  ({elapsed:.1f}s)")
    if skipped_total:
        print(f"({skipped_total} points of skipped tests are not counted: "
              f"see the SKIP lines above)")

    if args.json:
        write_json(args.json, tests, results, elapsed)
    return 0 if earned_total == possible_total else 1


if __name__ == "__main__":
    sys.exit(main())
