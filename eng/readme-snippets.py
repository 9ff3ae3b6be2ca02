#!/usr/bin/env python3
"""Checks that every code block of README.md preceded by <!-- file: PATH --> is exactly the file at PATH (relative to
the repository), so the README's example is the code that eng/package-test.sh builds and runs. Exit 1 names each one
that differs or is missing."""
import pathlib
import re
import sys

readme = pathlib.Path(sys.argv[1])
root = readme.parent
text = readme.read_text(encoding="utf-8")
blocks = re.findall(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)```\n", text, flags=re.S)
problems = []
for path, shown in blocks:
    file = root / path
    if not file.is_file():
        problems.append(f"{path}: no such file")
    elif file.read_text(encoding="utf-8") != shown:
        problems.append(f"{path}: the README shows another text than the file")
if not blocks:
    problems.append("no <!-- file: ... --> code block found")
for problem in problems:
    print(f"[readme-snippets] {problem}", file=sys.stderr)
print(f"[readme-snippets] {len(blocks)} file(s) shown in README.md, {len(problems)} differ", file=sys.stderr)
sys.exit(1 if problems else 0)
