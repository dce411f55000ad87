"""The Python guide's (docs/python.md) and bindings/python/README.md's examples run and print what they say."""

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


def test_bindings_readme_wheel_example(monkeypatch):
    # bindings/python/README.md: the example district's payroll, run from the
    # repository's root as the README says.
    readme = (REPO / "bindings" / "python" / "README.md").read_text(encoding="utf-8")
    code = block(readme, "wheel-example")
    monkeypatch.chdir(REPO)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "bindings/python/README.md", "exec"), {"__name__": "readme"})
    assert out.getvalue().rstrip("\n") == block(readme, "wheel-output")
