"""The docs stand alone and stay true: every CLI command, setting and /api path is
documented, every relative link resolves, the README stays a short front door, and no
file cites anything outside the repository (design notes, issue numbers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from denkdag.cli import app
from denkdag.config import Settings
from denkdag.web.app import create_app

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _commands(typer_app: typer.Typer, prefix: str = "") -> list[str]:
    names = [f"{prefix}{c.name or c.callback.__name__}" for c in typer_app.registered_commands]  # type: ignore[union-attr]
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        names += _commands(group.typer_instance, f"{prefix}{group.name} ")
    return names


def test_every_cli_command_is_in_operations() -> None:
    operations = _text(DOCS / "operations.md")
    commands = _commands(app)
    assert "demo" in commands and "token create" in commands
    for name in commands:
        assert f"`denkdag {name}" in operations, f"docs/operations.md lacks `denkdag {name}`"


def test_every_setting_is_in_operations_with_its_environment_name() -> None:
    """Each field of Settings has a row of the settings table, named by its variable."""
    operations = _text(DOCS / "operations.md")
    rows = {
        line.split("|")[1].strip()
        for line in operations.splitlines()
        if line.startswith("| `DENKDAG_")
    }
    assert len(Settings.model_fields) >= 17
    for name in Settings.model_fields:
        variable = f"`DENKDAG_{name.upper()}`"
        assert variable in rows, f"docs/operations.md has no settings row for {variable}"


def test_every_api_path_is_in_the_api_reference(tmp_path: Path) -> None:
    """Every path of the OpenAPI document, with each of its methods, is in docs/api.md."""
    api = _text(DOCS / "api.md")
    app_ = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'docs.sqlite3'}"))
    paths = app_.openapi()["paths"]
    assert len(paths) >= 25
    for path, operations in paths.items():
        assert path.startswith("/api/v1/"), path
        short = path.removeprefix("/api/v1")
        for method in operations:
            assert f"{method.upper()} {short}" in api, (
                f"docs/api.md does not name `{method.upper()} {short}`"
            )
    assert "/api/v1/openapi.json" in api


def test_every_live_event_is_in_the_api_reference() -> None:
    api = _text(DOCS / "api.md")
    for event in (
        "state",
        "tally",
        "presence",
        "progress",
        "opinion",
        "questions",
        "statements",
        "deleted",
    ):
        assert f"| `{event}` |" in api, f"docs/api.md has no row for the `{event}` event"


def test_the_readme_is_a_short_front_door() -> None:
    readme = _text(README)
    assert len(readme.encode("utf-8")) < 10_000
    # The two commands a fresh clone needs, exactly as scripts/ and CI run them.
    assert ".venv/bin/pip install -e . && .venv/bin/denkdag demo" in readme
    assert "bash scripts/test" in readme
    assert "bash scripts/test" in _text(ROOT / ".ci" / "run")


MARKDOWN = [README, *sorted(DOCS.glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    """Links and images to other files exist; a `#fragment` names a heading there."""
    for target in LINK.findall(_text(page)):
        if re.match(r"^[a-z]+:", target):
            continue  # http:, https:, mailto:
        file, _, fragment = target.partition("#")
        linked = (page.parent / file).resolve() if file else page
        assert linked.is_file(), f"{page.name} links to {target}, which does not exist"
        if fragment and linked.suffix == ".md":
            assert fragment in _anchors(_text(linked)), f"{page.name}: no heading for {target}"


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as dashes."""
    anchors = set()
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if fenced or not line.startswith("#"):
            continue
        title = line.lstrip("#").strip().lower()
        anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


SCANNED = ("src", "tests", "bench", "scripts", "docs", "README.md")
SUFFIXES = {".py", ".md", ".html", ".css", ".js", ".txt", ".toml", ".cfg", ".sh", ""}
OUTSIDE = [
    (re.compile(r"shared/"), "a path outside the repository (shared/)"),
    (re.compile(r"API\.md"), "a design note (API.md)"),
    (re.compile(r"\bissues? ?#?\d+", re.IGNORECASE), "an issue number"),
]


def _scanned_files() -> list[Path]:
    found = []
    for name in SCANNED:
        root = ROOT / name
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in candidates:
            if not path.is_file() or path.suffix not in SUFFIXES:
                continue
            if "data" in path.relative_to(ROOT).parts or "results" in path.parts:
                continue  # third-party data sets (pol.is comments) and benchmark output
            found.append(path)
    return found


def test_no_file_cites_anything_outside_the_repository() -> None:
    files = _scanned_files()
    assert ROOT / "src" / "denkdag" / "web" / "api.py" in files
    assert Path(__file__).resolve() in {f.resolve() for f in files}
    cited = []
    for path in files:
        if path.resolve() == Path(__file__).resolve():
            continue  # this test names the patterns it looks for
        for number, line in enumerate(_text(path).splitlines(), 1):
            for pattern, what in OUTSIDE:
                if pattern.search(line):
                    cited.append(f"{path.relative_to(ROOT)}:{number}: {what}: {line.strip()}")
    assert not cited, "\n".join(cited)


def test_the_citation_check_can_fail() -> None:
    """The patterns catch the forms that used to be there."""
    for line in (
        "as ../shared/design/API.md names it",
        "Account pages (issue 3): /account",
        "See the report of issue 8.",
        "Issue 6: the CSV",
        "fixed in issue #12",
    ):
        assert any(pattern.search(line) for pattern, _ in OUTSIDE), line
    assert not any(pattern.search("as docs/api.md lists them") for pattern, _ in OUTSIDE)


PACKAGE = ROOT / "src" / "denkdag"


def test_the_architecture_map_names_every_package_and_use_case_module() -> None:
    """docs/architecture.md stays the map of the code: every package of `denkdag` and every
    module of the use-case layer is named there, and every module path it names exists."""
    text = _text(DOCS / "architecture.md")
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    missing = [f"{name}/" for name in packages if f"{name}/" not in text]
    use_cases = sorted(p.name for p in (PACKAGE / "app").glob("*.py") if p.name != "__init__.py")
    missing += [
        f"app/{name}"
        for name in use_cases
        if f"`{name}`" not in text and f"app/{name}`" not in text
    ]
    assert not missing, f"docs/architecture.md does not name: {missing}"
    named = set(re.findall(r"`((?:[a-z_]+/)+[a-z_]+\.py)`", text))
    gone = sorted(
        path
        for path in named
        if not (ROOT / path).is_file() and not any(PACKAGE.glob(f"**/{path}"))
    )
    assert not gone, f"docs/architecture.md names modules that do not exist: {gone}"
