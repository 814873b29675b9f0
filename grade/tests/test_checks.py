"""Output: how a run's serial log is checked against a lab's patterns."""
import pytest

from gradelib import GradeFailure, Output

BOOT_LOG = (
    "\n"
    "ExoLab exokernel\n"
    "Booted by the ExoLab boot loader, memory map: 6 regions\n"
    "6828 decimal is 15254 octal!\n"
    "Welcome to the ExoLab kernel monitor!\n"
    "K> kerninfo\n"
    "Special kernel symbols:\n"
    "K> "
)


def failure(output: Output, *patterns: str, **options) -> str:
    """The message of the GradeFailure that expect() must raise."""
    with pytest.raises(GradeFailure) as caught:
        output.expect(*patterns, **options)
    return str(caught.value)


# ------------------------------------------------------------ matching

def test_patterns_in_order_pass():
    Output(BOOT_LOG).expect(r"ExoLab exokernel", r"6828 decimal is \d+ octal!",
                            r"K> kerninfo")


def test_patterns_out_of_order_fail_and_say_so():
    message = failure(Output(BOOT_LOG), r"K> kerninfo", r"ExoLab exokernel")
    assert "missing a line matching /ExoLab exokernel/" in message
    assert "(it appears, but out of order)" in message


def test_unordered_patterns_pass_in_any_order():
    Output(BOOT_LOG).expect(r"K> kerninfo", r"ExoLab exokernel", ordered=False)


def test_unordered_pattern_still_must_appear():
    message = failure(Output(BOOT_LOG), r"K> kerninfo", r"K> backtrace",
                      ordered=False)
    assert "missing a line matching /K> backtrace/" in message


def test_ordered_patterns_need_a_line_each():
    # Two prompts are expected, the log shows one finished prompt line.
    message = failure(Output("K> help\nhelp - list commands\n"),
                      r"K> .*", r"K> .*")
    assert "missing a line matching /K> .*/" in message


def test_pattern_inside_a_longer_line_does_not_match():
    output = Output("printf: 6828 decimal is 15254 octal! (almost)\n")
    message = failure(output, r"6828 decimal is 15254 octal!")
    assert "missing a line matching" in message


def test_prefix_of_a_line_does_not_match():
    failure(Output(BOOT_LOG), r"ExoLab")


def test_alternation_is_anchored_as_a_whole():
    output = Output("xhelp\nkerninfox\n")
    failure(output, r"help|kerninfo")
    Output("kerninfo\n").expect(r"help|kerninfo")


def test_match_gives_the_groups_of_the_first_matching_line():
    output = Output("regions: 6\nregions: 7\n")
    assert output.match(r"regions: (?P<n>\d+)").group("n") == "6"
    assert [m.group(1) for m in output.matches(r"regions: (\d+)")] == ["6", "7"]
    assert output.match(r"regions") is None


def test_find_gives_the_line_index_or_minus_one():
    output = Output("a\nb\na\n")
    assert output.find(r"a") == 0
    assert output.find(r"a", start=1) == 2
    assert output.find(r"c") == -1


def test_prompt_without_newline_is_the_last_line():
    Output(BOOT_LOG).expect(r"Special kernel symbols:", r"K> ")


# ---------------------------------------------------------- forbidden lines

def test_forbidden_line_fails_and_is_quoted():
    output = Output("ExoLab exokernel\nkernel panic at kernel/pmap.c:42: oops\n")
    message = failure(output, r"ExoLab exokernel", no=[r"kernel panic.*"])
    assert "forbidden line: kernel panic at kernel/pmap.c:42: oops" in message
    assert "(it matches /kernel panic.*/)" in message


def test_forbidden_patterns_pass_when_absent():
    Output(BOOT_LOG).expect(r"ExoLab exokernel", no=[r"kernel panic.*"])


def test_forbidden_pattern_is_anchored_too():
    # Hence the lab tests write r"kernel panic.*", not r"kernel panic".
    Output("kernel panic at kernel/x.c:1: boom\n").expect(no=[r"kernel panic"])


def test_forbidden_line_fails_even_if_all_expected_lines_appear():
    output = Output("ExoLab exokernel\nkernel panic at kernel/x.c:1: boom\n")
    failure(output, r"ExoLab exokernel", no=[r"kernel panic.*"])


# ------------------------------------------------------- failure messages

def test_missing_line_message_shows_the_closest_line():
    output = Output("6828 decimal is 1524 octal!\nK> \n")
    message = failure(output, r"6828 decimal is 15254 octal!")
    assert "missing a line matching /6828 decimal is 15254 octal!/" in message
    assert "closest line printed: 6828 decimal is 1524 octal!" in message


def test_missing_line_message_has_no_closest_line_when_nothing_is_alike():
    message = failure(Output("K> \n"), r"Stack backtrace:")
    assert "closest line printed" not in message


def test_failure_names_the_log():
    output = Output("K> \n", log_path="obj/grade/lab1-boot.log")
    message = failure(output, r"Stack backtrace:")
    assert "full output: obj/grade/lab1-boot.log" in message


def test_failure_includes_the_runs_notes():
    note = "timed out after 30s waiting for 'K> ' (is the kernel stuck?)"
    output = Output("ExoLab exokernel\n", log_path="x.log", notes=[note])
    message = failure(output, r"K> .*")
    assert note in message
    assert message.index(note) < message.index("full output: x.log")


def test_fail_adds_the_notes_and_the_log():
    output = Output("", log_path="x.log", notes=["QEMU exited (status 0)"])
    with pytest.raises(GradeFailure) as caught:
        output.fail("no frames")
    assert str(caught.value).splitlines() == [
        "no frames", "    QEMU exited (status 0)", "    full output: x.log"]


# ---------------------------------------------------- what serial logs hold

def test_crlf_line_ends_are_plain_line_ends():
    output = Output("ExoLab exokernel\r\nK> kerninfo\r\n")
    output.expect(r"ExoLab exokernel", r"K> kerninfo")
    assert output.lines == ["ExoLab exokernel", "K> kerninfo", ""]


def test_lone_carriage_return_ends_a_line():
    assert Output("a\rb\n").lines == ["a", "b", ""]


def test_bios_junk_before_the_kernels_fresh_line_is_a_line_of_its_own():
    # SeaBIOS leaves "Booting from Hard Disk..." without a newline; the
    # kernel starts its output with one.
    output = Output("Booting from Hard Disk..." + BOOT_LOG)
    output.expect(r"ExoLab exokernel", r"K> kerninfo")
    assert output.lines[0] == "Booting from Hard Disk..."


def test_banner_glued_to_bios_junk_does_not_match():
    # A kernel that does not start on a fresh line fails the banner
    # check, and the message shows why.
    output = Output("Booting from Hard Disk...ExoLab exokernel\nK> ")
    message = failure(output, r"ExoLab exokernel")
    assert "closest line printed: Booting from Hard Disk...ExoLab exokernel" \
        in message


def test_failure_says_first_that_the_kernel_panicked():
    output = Output("ExoLab exokernel\nkernel panic at kernel/pmap.c:42: oops\n",
                    log_path="x.log")
    message = failure(output, r"K> .*")
    assert "\n    the kernel panicked: kernel panic at kernel/pmap.c:42: oops" \
        in message
    assert message.index("panicked") < message.index("full output: x.log")


# ------------------------------------------- what a failure message cites

def test_panic_after_nul_bytes_is_a_forbidden_line():
    output = Output("K> dumpmem\n" + "\0" * 1000 + "kernel panic at kernel/x.c:1: oops\nK> ")
    message = failure(output, r"K> .*", no=[r"kernel panic.*"])
    assert message.startswith("forbidden line: kernel panic at kernel/x.c:1: oops")
    assert "\0" not in message


def test_panic_in_the_middle_of_a_line_starts_its_own():
    output = Output("hello, wokernel panic at kernel/x.c:1: oops\n")
    assert output.lines[:2] == ["hello, wo", "kernel panic at kernel/x.c:1: oops"]


def test_control_characters_are_escaped_in_messages():
    output = Output("\x1b[2J\x07bell\n")
    message = failure(output, r"bell", no=[r".*bell"])
    assert "\x1b" not in message and "\x07" not in message
    assert "\\x1b[2J\\x07bell" in message


def test_missing_line_always_shows_a_line_printed():
    message = failure(Output("kernel panic at kernel/env.c:75: env_init: "
                             "not implemented (lab 3, exercise 2)\nK> \n"),
                      r"\[00000000\] new env 00001000")
    assert ("the last line printed: kernel panic at kernel/env.c:75: env_init: "
            "not implemented") in message
    assert "the kernel printed nothing" in failure(Output(""), r"hello")


def test_a_test_cites_its_own_stub():
    from gradelib import checks
    output = Output("6828 decimal is (%o not implemented: lab 1, exercise 8) octal!\n"
                    "backtrace: not implemented (lab 1, exercise 11)\nK> \n")
    try:
        checks.set_stubs(["backtrace"])
        message = failure(output, r"Stack backtrace:")
        assert "the kernel said: backtrace: not implemented" in message
        assert "%o" not in message
        checks.set_stubs([])
        assert "the kernel said" not in failure(output, r"Stack backtrace:")
    finally:
        checks.set_stubs(None)


def test_lines_missing_after_a_self_check_panicked_say_so():
    output = Output("check_page_alloc() succeeded!\n"
                    "kernel panic at lab2/pmap_check.c:201: check_page: expected x\nK> ")
    dependent = failure(output, r"check_kern_pgdir\(\) succeeded!")
    assert dependent.startswith("fails because check_page panicked; fix that first")
    own = failure(output, r"check_page\(\) succeeded!")
    assert own.startswith("missing a line matching")
    assert "the kernel panicked: kernel panic at lab2/pmap_check.c:201" in own
