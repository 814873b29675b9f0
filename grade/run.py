#!/usr/bin/env python3
"""Grade ExoLab labs: run their tests and print the score.

    python3 grade/run.py [-n N] [--json FILE] [--junit FILE] [-k EXPR] lab1 lab2 ...

Each lab directory holds pytest tests (test_*.py) that declare points
with gradelib.points.  Tests run in N worker processes (default 1), each
an ordinary pytest run with gradelib's plugin; results are printed as
they arrive, then the subtotal of each part and the score.  The exit
status is 0 only for full marks.

--json writes Gradescope's results.json; --junit writes JUnit XML.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import OrderedDict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from gradelib.plugin import MARK  # noqa: E402


def pytest_command(extra, rootdir=ROOT):
    env_path = os.pathsep.join(
        [str(HERE)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    env = dict(os.environ, PYTHONPATH=env_path, PYTHONDONTWRITEBYTECODE="1")
    # Only the grader's own files configure pytest: its ini file (-c),
    # no cache, no conftest.py (a lab's tests get their fixtures from
    # gradelib), so that no file beside the tests can change a verdict.
    cmd = [sys.executable, "-m", "pytest", "-c", str(HERE / "pytest.ini"),
           "--rootdir", str(rootdir), "--noconftest", "-p", "no:cacheprovider",
           "-p", "gradelib.plugin", "-p", "no:terminal"] + extra
    return cmd, env


def records(lines):
    for line in lines:
        if line.startswith(MARK):
            yield json.loads(line[len(MARK):])


def rootdir_for(labs):
    """pytest's rootdir: the repository, or the directory holding the
    labs if they lie outside it.  Test ids are paths relative to it, and
    every pytest process runs there, so that an id names the same test
    in the collecting process and in the workers."""
    if all(ROOT in lab.parents for lab in labs):
        return ROOT
    return Path(os.path.commonpath([lab.parent for lab in labs]))


def collect(paths, keyword, rootdir=ROOT):
    extra = ["--collect-only"] + (["-k", keyword] if keyword else []) + paths
    cmd, env = pytest_command(extra, rootdir)
    proc = subprocess.run(cmd, cwd=rootdir, env=env, capture_output=True, text=True)
    tests, errors = OrderedDict(), []
    for rec in records(proc.stdout.splitlines()):
        if rec["type"] == "test":
            tests[rec["nodeid"]] = rec
        elif rec["type"] == "error":
            errors.append(rec)
    if proc.returncode not in (0, 5) and not tests and not errors:
        errors.append({"where": "pytest", "message": proc.stdout + proc.stderr})
    return tests, errors


class Grader:
    def __init__(self, tests, rootdir=ROOT):
        self.tests = tests
        self.rootdir = rootdir
        self.results = {}
        self.lock = threading.Lock()
        self.width = max((len(t["name"]) for t in tests.values()), default=10)

    def report(self, rec):
        test = self.tests.get(rec["nodeid"])
        if test is None:
            return
        with self.lock:
            previous = self.results.get(rec["nodeid"])
            # The first failure wins (a teardown error after a pass).
            if previous and previous["outcome"] != "passed":
                return
            # A test is printed once, and again if an error in its
            # teardown turns its pass into a failure.
            self.results[rec["nodeid"]] = rec
            self.print_result(test, rec)

    def print_result(self, test, rec):
        label = {"passed": "OK", "failed": "FAIL", "skipped": "SKIP"}[rec["outcome"]]
        line = f"{test['lab']} {test['name']}: {label} ({rec['duration']:.1f}s)"
        if rec["outcome"] == "skipped" and rec["message"]:
            line += f" [{rec['message']}]"
        print(line, flush=True)
        if rec["outcome"] == "failed":
            for text in rec["message"].splitlines() or ["(no message)"]:
                print("    " + text, flush=True)

    def run_worker(self, nodeids, keyword):
        cmd, env = pytest_command((["-k", keyword] if keyword else []) + nodeids,
                                  self.rootdir)
        proc = subprocess.Popen(cmd, cwd=self.rootdir, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        other = []
        for line in proc.stdout:
            if line.startswith(MARK):
                self.report(json.loads(line[len(MARK):]))
            else:
                other.append(line)
        proc.wait()
        # A worker that died (or a test never reported) must not pass.
        missing = [n for n in nodeids if n not in self.results]
        for nodeid in missing:
            self.report({"nodeid": nodeid, "outcome": "failed", "duration": 0.0,
                         "phase": "run", "message": "the test did not report a "
                         "result (the pytest worker failed):\n" + "".join(other[-20:])})


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
    out["score"] = total
    Path(path).write_text(json.dumps(out, indent=2) + "\n")


def xml_text(text):
    """text with the characters XML 1.0 forbids (the control characters
    a kernel may print, say) written as Python escapes."""
    return re.sub("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]",
                  lambda m: ascii(m.group())[1:-1], text)


def write_junit(path, tests, results, elapsed):
    suite = ET.Element("testsuite", name="exolab", tests=str(len(tests)),
                       time="%.2f" % elapsed)
    failures = skipped = 0
    for nodeid, test in tests.items():
        rec = results.get(nodeid, {})
        case = ET.SubElement(suite, "testcase", classname=test["lab"],
                             name=test["name"], time="%.2f" % rec.get("duration", 0))
        if rec.get("outcome") == "skipped":
            skipped += 1
            ET.SubElement(case, "skipped", message=xml_text(rec.get("message", "")))
        elif rec.get("outcome") != "passed":
            failures += 1
            msg = xml_text(rec.get("message", ""))
            node = ET.SubElement(case, "failure",
                                 message=(msg.splitlines() or [""])[0])
            node.text = msg
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    ET.ElementTree(suite).write(path, encoding="unicode", xml_declaration=True)


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
    tests, errors = collect([str(lab) for lab in labs], args.keyword, rootdir)
    for err in errors:
        print(f"error collecting {err['where']}:\n{err['message']}", file=sys.stderr)
    if errors:
        return 2
    if not tests:
        print("no tests found in " + " ".join(args.labs), file=sys.stderr)
        return 2

    grader = Grader(tests, rootdir)
    nodeids = list(tests)
    jobs = max(1, min(args.jobs, len(nodeids)))
    # Deal the tests out round-robin so each worker gets a mix.
    shares = [nodeids[i::jobs] for i in range(jobs)]
    workers = [threading.Thread(target=grader.run_worker, args=(share, args.keyword))
               for share in shares]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started

    parts = score(tests, grader.results)
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
        write_json(args.json, tests, grader.results, elapsed)
    if args.junit:
        write_junit(args.junit, tests, grader.results, elapsed)
    return 0 if earned_total == possible_total else 1


if __name__ == "__main__":
    sys.exit(main())
