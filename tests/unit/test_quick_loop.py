"""tests/quick_loop.py names tests that exist: a renamed or removed test must leave
the table too, or the quick loop would quietly run what it meant to leave out."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.quick_loop import GROUPS, left_to_the_full_run

ROOT = Path(__file__).resolve().parents[2]


def defined_tests(module: str) -> set[str]:
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_named_test_exists() -> None:
    missing = [
        f"{module}::{name}"
        for module, names in left_to_the_full_run().items()
        for name in sorted(names - defined_tests(module))
    ]
    assert not missing, missing


def test_each_test_is_named_once() -> None:
    named = [
        (module, name) for group in GROUPS for module, names in group.items() for name in names
    ]
    assert len(named) == len(set(named))
