"""Checks that a README shows a file as it is: the code block after the
marker `<!-- file: PATH -->` must equal PATH. Usage:
python3 scripts/readme-block.py README PATH..."""

import sys

readme_path = sys.argv[1]
readme = open(readme_path, encoding="utf-8").read()
for path in sys.argv[2:]:
    marker = f"<!-- file: {path} -->"
    if marker not in readme:
        sys.exit(f"{readme_path}: no {marker}")
    after = readme[readme.index(marker) + len(marker):]
    body = after[after.index("```"):]
    body = body[body.index("\n") + 1:]
    body = body[: body.index("\n```")] + "\n"
    if body != open(path, encoding="utf-8").read():
        sys.exit(f"{readme_path}: the block after {marker} differs from {path}")
    print(f"{readme_path} shows {path} as it is")
