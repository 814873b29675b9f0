"""The pytest plugin behind grade/run.py.

A lab's test declares its worth with @points(N, part="A").  This plugin,
loaded into each pytest worker process, reports every collected test
and every result as one JSON line on standard output (prefixed with
MARK); grade/run.py reads those lines from one or more workers and
prints the grade.
"""
import json
import sys

import pytest

from . import checks
from .checks import GradeFailure

MARK = "@@exolab "


def points(n: int, part: str = ""):
    """Decorator: the test is worth n points, in part `part` of its lab."""
    return pytest.mark.points(n, part=part)


def stubs(*names: str):
    """Decorator: the test depends on these stubs (the names their "not
    implemented" messages start with, e.g. "backtrace" or "%o"), so its
    failure cites those messages, not the first one the kernel printed."""
    return pytest.mark.stubs(*names)


def _emit(record: dict) -> None:
    sys.__stdout__.write(MARK + json.dumps(record) + "\n")
    sys.__stdout__.flush()


def _describe(item) -> dict:
    marker = item.get_closest_marker("points")
    worth = marker.args[0] if marker and marker.args else 0
    part = marker.kwargs.get("part", "") if marker else ""
    lab = item.path.parent.name
    name = item.name[5:] if item.name.startswith("test_") else item.name
    # The docstring's first paragraph, as one line.
    paragraph = (item.function.__doc__ or "").strip().split("\n\n")[0]
    doc = [" ".join(paragraph.split())] if paragraph else []
    return {"nodeid": item.nodeid, "lab": lab, "name": name, "points": worth,
            "part": part, "doc": doc[0] if doc else ""}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "points(n, part): the test's worth and its part of the lab")
    config.addinivalue_line(
        "markers", "stubs(*names): the stubs whose messages the test's failure cites")
    # grade/run.py turns pytest's terminal output off (-p no:terminal),
    # and with it the -v option, which pytest still reads to explain a
    # failed assert or a test file that does not import.
    if not hasattr(config.option, "verbose"):
        config.option.verbose = 0


def pytest_collection_finish(session):
    # Called after -k has deselected tests: these are the tests to run.
    if session.config.option.collectonly:
        for item in session.items:
            _emit({"type": "test", **_describe(item)})


def pytest_collectreport(report):
    if report.failed:
        _emit({"type": "error", "where": str(report.nodeid),
               "message": str(report.longrepr)})


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
    report.exolab_message = _message(call)


# Seconds each test spent in setup (a shared boot, usually), added to
# its own time.
_setup_seconds = {}


def pytest_runtest_logreport(report):
    # A test's verdict comes from its first failing phase, else from its
    # call phase.  (run.py keeps the worst verdict it sees per test.)
    if report.when == "setup" and report.passed:
        _setup_seconds[report.nodeid] = report.duration
        return
    if report.when == "teardown" and not report.failed:
        return
    duration = report.duration + _setup_seconds.pop(report.nodeid, 0.0)
    _emit({"type": "result", "nodeid": report.nodeid,
           "outcome": report.outcome, "duration": duration,
           "phase": report.when,
           "message": getattr(report, "exolab_message", "")})
