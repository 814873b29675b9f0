# Cheat: the file server prints its self-checks' lines without a block
# cache, a mount or a check, then waits for requests as usual.
# Everything else of labs 1 to 5 is done (the reference's kernel/, lib/
# and user/fs/).
# Lab: 5
# Targets: fs_self_checks
#
# A script: it runs in the student's tree; $REFERENCE is a solved tree.
set -e
cp -R "$REFERENCE/kernel" "$REFERENCE/lib" .
cp -R "$REFERENCE/user/fs" user/
python3 - <<'PY'
path = "user/fs/serv.c"
s = open(path).read()
old = "\tif (fs_init() == 0)\n\t\tfs_check();\n"
new = ('\tcprintf("block cache is good\\nsuperblock is good\\nbitmap is good\\n");\n'
       '\tcprintf("alloc_block is good\\nfile_open is good\\n");\n'
       '\tcprintf("file_get_block is good\\n");\n\tif (0)\n\t\tfs_check();\n')
assert s.count(old) == 1
s = s.replace(old, new, 1)
open(path, "w").write(s)
PY
grep -q "block cache is good" user/fs/serv.c
