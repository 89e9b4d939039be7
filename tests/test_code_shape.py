"""House rules that a reader checks by eye, checked here: no function in `assistant/` over 60 lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
MAX_LINES = 60


def long_functions(root: Path = PACKAGE, limit: int = MAX_LINES) -> list[str]:
    """`file:line name (N lines)` for every function or method longer than `limit` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1  # from `def` to its last line, decorators aside
                if lines > limit:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_in_the_package_is_over_60_lines():
    assert long_functions() == [], "split these functions (at most 60 lines each):\n" + "\n".join(long_functions())


def test_the_check_finds_a_long_function(tmp_path):
    (tmp_path / "long.py").write_text("def f():\n" + "    x = 1\n" * 60)
    (tmp_path / "short.py").write_text("def g():\n" + "    x = 1\n" * 59)
    assert long_functions(tmp_path) == [f"{tmp_path.name}/long.py:1 f (61 lines)"]
