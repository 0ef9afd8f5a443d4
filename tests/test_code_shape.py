"""The shape limits the code keeps (issue 8): no module of src/ over 400 lines, no function
over 60, and a docstring on every public function and method, saying what it is for."""

from __future__ import annotations

import ast

from conftest import ROOT

SRC = ROOT / "src" / "trainstack"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules():
    return sorted(SRC.rglob("*.py"))


def test_no_module_is_over_400_lines():
    long = [(p.relative_to(SRC).as_posix(), n) for p in modules()
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES]
    assert long == []


def test_no_function_is_over_60_lines():
    long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append((path.relative_to(SRC).as_posix(), node.name, lines))
    assert long == []


def test_every_public_function_and_method_has_a_docstring():
    missing = []

    def visit(body, path, prefix=""):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not node.name.startswith("_") and not ast.get_docstring(node):
                    missing.append(f"{path}:{node.lineno} {prefix}{node.name}")
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                visit(node.body, path, f"{node.name}.")

    for path in modules():
        visit(ast.parse(path.read_text()).body, path.relative_to(SRC).as_posix())
    assert missing == []
