"""The domain imports only the standard library and itself (checked by reading its source)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import denkdag.domain

DOMAIN = Path(denkdag.domain.__file__).parent
ALLOWED_OWN = "denkdag.domain"


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import; relative imports stay in the package."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def is_allowed(module: str) -> bool:
    top = module.partition(".")[0]
    own = module == ALLOWED_OWN or module.startswith(ALLOWED_OWN + ".")
    return own or top == "__future__" or top in sys.stdlib_module_names


def test_the_domain_has_modules_to_check() -> None:
    files = {path.relative_to(DOMAIN).as_posix() for path in DOMAIN.rglob("*.py")}
    assert {"model.py", "tally.py", "session_flow.py", "kinds/choice.py"} <= files


def test_the_checker_refuses_third_party_and_sibling_layers() -> None:
    tree = ast.parse("import os\nimport sqlalchemy.orm\nfrom denkdag.formats import deck\n")
    bad = [module for _, module in imported_modules(tree) if not is_allowed(module)]
    assert bad == ["sqlalchemy.orm", "denkdag.formats"]


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = []
    for path in sorted(DOMAIN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [
            f"{path.relative_to(DOMAIN.parent)}:{line}: imports {module}"
            for line, module in imported_modules(tree)
            if not is_allowed(module)
        ]
    assert not offenders, "denkdag.domain must stay pure:\n" + "\n".join(offenders)


def test_domain_modules_import_nothing_dynamic_from_outside() -> None:
    """`import_module` is used by the kind registry; its argument must stay in the package."""
    for path in sorted(DOMAIN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"import_module", "__import__"}
            ):
                argument = ast.unparse(node.args[0]) if node.args else ""
                assert "__name__" in argument, f"{path}:{node.lineno}: imports {argument}"
