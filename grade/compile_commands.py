#!/usr/bin/env python3
"""Write compile_commands.json for clangd and other editors.

    compile_commands.py ROOT 'CC CFLAGS' 'CC ASFLAGS' SOURCE...

`make compile_commands.json` calls this with the build's own compiler
command lines, so the editor sees exactly the flags (LAB, include
paths) the build uses.
"""
import json
import shlex
import sys


def main():
    root, c_command, asm_command, *sources = sys.argv[1:]
    entries = []
    for source in sources:
        command = asm_command if source.endswith(".S") else c_command
        entries.append({
            "directory": root,
            "file": source,
            "arguments": shlex.split(command) + ["-c", source],
        })
    json.dump(entries, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
