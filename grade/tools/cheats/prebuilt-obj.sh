# Cheat: a prebuilt obj/ (a working kernel, built from someone else's
# solution) uploaded with the stub sources, its timestamps newer than
# theirs so that make rebuilds nothing.
# Lab: 1
# Targets: printf_octal backtrace_arguments
#
# A script, not a patch: a kernel image does not fit in a text diff.
# It runs in the student's tree; $REFERENCE is a solved tree of the lab.
set -e
make -s -C "$REFERENCE" OBJDIR="$PWD/obj" all >/dev/null
find obj -exec touch {} +
git add -f obj
