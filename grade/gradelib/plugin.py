"""The pytest plugin behind grade/run.py: points, parts, verdict lines.

A lab's test declares its worth with @points(N, part="A").  grade/run.py
runs pytest twice with this plugin: once with --collect-only, when the
plugin writes the tests and their points to --exolab-tests FILE; then
for real, in parallel with pytest-xdist (-n N) when asked, when the
plugin prints each verdict as it arrives (in the controlling process;
xdist hands it every worker's reports) and appends it to --exolab-results
FILE, one JSON line each.  run.py adds up the score from the two files
(and fails any test whose process died before it reported).
"""
import json
import sys
from pathlib import Path

import pytest

from . import checks
from .checks import GradeFailure


def points(n: int, part: str = ""):
    """Decorator: the test is worth n points, in part `part` of its lab."""
    return pytest.mark.points(n, part=part)


def stubs(*names: str):
    """Decorator: the test depends on these stubs (the names their "not
    implemented" messages start with, e.g. "backtrace" or "%o"), so its
    failure cites those messages, not the first one the kernel printed."""
    return pytest.mark.stubs(*names)


def pytest_addoption(parser):
    group = parser.getgroup("exolab")
    group.addoption("--exolab-tests", help="write the collected tests here (JSON)")
    group.addoption("--exolab-results", help="append each verdict here (JSON lines)")


def describe(item) -> dict:
    marker = item.get_closest_marker("points")
    worth = marker.args[0] if marker and marker.args else 0
    part = marker.kwargs.get("part", "") if marker else ""
    # item.path is pytest 7's; Ubuntu 22.04 has pytest 6 (item.fspath).
    path = Path(str(getattr(item, "path", None) or item.fspath))
    lab = path.parent.name
    name = item.name[5:] if item.name.startswith("test_") else item.name
    # The docstring's first paragraph, as one line.
    paragraph = (getattr(item, "function", None) and item.function.__doc__ or "")
    paragraph = paragraph.strip().split("\n\n")[0]
    return {"nodeid": item.nodeid, "lab": lab, "name": name, "points": worth,
            "part": part, "doc": " ".join(paragraph.split()),
            "file": path.stem if path.stem.startswith("test_private") else ""}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "points(n, part): the test's worth and its part of the lab")
    config.addinivalue_line(
        "markers", "stubs(*names): the stubs whose messages the test's failure cites")
    # run.py turns pytest's terminal output off (-p no:terminal), and
    # with it the -v option, which pytest still reads to explain a
    # failed assert or a test file that does not import.
    if not hasattr(config.option, "verbose"):
        config.option.verbose = 0


def _controller(config) -> bool:
    """True in the process that prints: not an xdist worker."""
    return not hasattr(config, "workerinput")


def pytest_collectreport(report):
    if report.failed:
        _errors.append({"where": str(report.nodeid), "message": str(report.longrepr)})


_errors = []


def pytest_collection_finish(session):
    # Called after -k has deselected tests: these are the tests to run.
    path = session.config.getoption("exolab_tests")
    if path and session.config.option.collectonly:
        with open(path, "w") as f:
            json.dump({"tests": [describe(item) for item in session.items],
                       "errors": _errors}, f)


def _message(call) -> str:
    """A failure message for a student: our own verdicts as they are,
    anything else (a bug in a test, say) with its traceback; never a
    control character that could garble a terminal."""
    if call.excinfo is None:
        return ""
    if isinstance(call.excinfo.value, GradeFailure):
        return checks.printable(str(call.excinfo.value))
    if call.excinfo.errisinstance(pytest.skip.Exception):
        return checks.printable(str(call.excinfo.value.msg))
    return checks.printable(call.excinfo.getrepr(style="short", chain=False).__str__())


def pytest_runtest_setup(item):
    # Before the test's fixtures run (a shared boot may fail in them).
    marker = item.get_closest_marker("stubs")
    checks.set_stubs(marker.args if marker else None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    # user_properties travel with the report from an xdist worker.
    report.user_properties.append(("exolab_message", _message(call)))


# Seconds each test spent in setup (a shared boot, usually), added to
# its own time.
_setup_seconds = {}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report):
    config = _config
    if config is None or not _controller(config):
        return
    # Ours only: not a <property> in the JUnit XML (read after this).
    for key, value in list(report.user_properties):
        if key == "exolab_message":
            report.exolab_message = value
            report.user_properties.remove((key, value))
    # A test's verdict comes from its first failing phase, else from its
    # call phase.  (run.py keeps the worst verdict it sees per test.)
    if report.when == "setup" and report.passed:
        _setup_seconds[report.nodeid] = report.duration
        return
    if report.when == "teardown" and not report.failed:
        return
    message = getattr(report, "exolab_message", None)
    if message is None:
        # A report pytest-xdist made up: its worker crashed.
        message = checks.printable(str(report.longrepr or ""))
    record = {"nodeid": report.nodeid, "outcome": report.outcome, "phase": report.when,
              "duration": report.duration + _setup_seconds.pop(report.nodeid, 0.0),
              "message": message}
    _print(config, record)
    path = config.getoption("exolab_results")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(record) + "\n")


_config = None
_shown = {}


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    global _config
    _config = session.config
    path = session.config.getoption("exolab_tests")
    if path and not session.config.option.collectonly:
        with open(path) as f:
            for test in json.load(f)["tests"]:
                _shown[test["nodeid"]] = test


def _print(config, record):
    """`lab name: OK (1.0s)`, a failure's message indented below.  A
    test is printed once, and again if an error in its teardown turns
    its pass into a failure."""
    test = _shown.get(record["nodeid"])
    if test is None:
        return
    previous = test.get("printed")
    if previous and previous != "passed":
        return
    test["printed"] = record["outcome"]
    label = {"passed": "OK", "failed": "FAIL", "skipped": "SKIP"}[record["outcome"]]
    line = f"{test['lab']} {test['name']}: {label} ({record['duration']:.1f}s)"
    if record["outcome"] == "skipped" and record["message"]:
        line += f" [{record['message']}]"
    out = sys.__stdout__
    out.write(line + "\n")
    if record["outcome"] == "failed":
        for text in record["message"].splitlines() or ["(no message)"]:
            out.write("    " + text + "\n")
    out.flush()
