"""The Python guide's (docs/python.md) example runs and prints what the README says."""

import contextlib
import io

from conftest import REPO


def block(readme: str, name: str) -> str:
    marker = f"<!-- readme-test: {name} -->"
    after = readme[readme.index(marker) + len(marker):]
    body = after[after.index("```"):]
    body = body[body.index("\n") + 1:]
    return body[: body.index("\n```")]


def test_readme_python_example():
    readme = (REPO / "docs" / "python.md").read_text(encoding="utf-8")
    code = block(readme, "python-example")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/python.md", "exec"), {"__name__": "readme"})
    assert out.getvalue().rstrip("\n") == block(readme, "python-output")


def test_readme_python_book_example():
    readme = (REPO / "docs" / "python.md").read_text(encoding="utf-8")
    code = block(readme, "python-book-example")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/python.md", "exec"), {"__name__": "readme"})
    assert out.getvalue().rstrip("\n") == block(readme, "python-book-output")
