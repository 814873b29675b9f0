# Cheat: the student's files #include the instructor's own (solutions
# and all) by a path guessed on the grading machine, with SOL defined.
# Only the sandbox (bubblewrap: nothing but the submission's own
# directory and the system is visible) stops this one.
# Lab: 1
# Targets: printf_octal backtrace_arguments
# Needs: bwrap
# Builds: no (the sandbox hides the included files)
#
# A script: it runs in the student's tree; $INSTRUCTOR is the
# instructor's tree (as a cheater would guess /autograder/source).
set -e
for f in kernel/monitor.c lib/printfmt.c; do
	printf '#define SOL 1\n#include "%s/%s"\n' "$INSTRUCTOR" "$f" > "$f"
done
