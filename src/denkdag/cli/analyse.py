"""`denkdag analyse FOLDER [--json FILE]`: opinion groups of a pol.is export, in the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the analysis needs scikit-learn: imported when the command runs
    from denkdag.analysis import Id, OpinionMap
    from denkdag.formats.polis import PolisExport


def _text(export: PolisExport, statement_id: Id) -> str:
    text = export.texts.get(statement_id, "")
    return " ".join(text.split()) or f"(statement {statement_id})"


def _report(export: PolisExport, result: OpinionMap) -> None:
    n, m = export.votes.shape
    clustered = sum(result.group_sizes)
    typer.echo(f"{n} participants, {m} statements, {export.votes.n_votes} votes")
    typer.echo(f"{result.k} opinion groups over {clustered} clustered participants")
    for g, size in enumerate(result.group_sizes):
        typer.echo("")
        typer.echo(f"Group {g} ({size} participants)")
        for rep in result.representative[g]:
            share = rep.n_success / rep.n_trials if rep.n_trials else 0.0
            verb = "agree" if rep.direction == "agree" else "disagree"
            typer.echo(f"  {share:4.0%} {verb:8s} {_text(export, rep.statement_id)}")
    typer.echo("")
    typer.echo("Consensus")
    if not result.consensus:
        typer.echo("  (none)")
    for item in result.consensus:
        share = item.n_success / item.n_trials if item.n_trials else 0.0
        verb = "agree" if item.direction == "agree" else "disagree"
        typer.echo(f"  {share:4.0%} {verb:8s} {_text(export, item.statement_id)}")
    typer.echo("")
    typer.echo("Divisive")
    if not result.divisive:
        typer.echo("  (none)")
    for split in result.divisive:
        rates = " / ".join(f"{p:.0%}" for p in split.agree_by_group)
        typer.echo(f"  agree {rates}  {_text(export, split.statement_id)}")


def analyse(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A pol.is export folder (participants-votes.csv, or votes.csv + comments.csv).",
            exists=True,
            file_okay=False,
            dir_okay=True,
            readable=True,
        ),
    ],
    json: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Also write the result as JSON to this file (groups, statements, map).",
            dir_okay=False,
            writable=True,
        ),
    ] = None,
) -> None:
    """Find opinion groups and their representative, consensus and divisive statements."""
    from denkdag.analysis import compute
    from denkdag.formats.polis import read_export, write_json

    export = read_export(folder)
    result = compute(export.votes)
    _report(export, result)
    if json is not None:
        write_json(json, export, result)
        typer.echo("")
        typer.echo(f"Wrote {json}")
