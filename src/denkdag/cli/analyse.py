"""`denkdag analyse FOLDER [--json FILE] [--replay [--history FILE]]`: opinion groups of a
pol.is export, in the terminal: from its final votes, or replayed through the live rooms'
recompute in time order."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the analysis needs scikit-learn: imported when the command runs
    from denkdag.analysis import Id, OpinionMap
    from denkdag.analysis.replay import Replay
    from denkdag.formats.polis import PolisExport

EVERY = 60.0
"""Default seconds of votes per replayed recompute (`denkdag.analysis.replay.EVERY`; kept
here too so `--help` does not import the analysis)."""


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
        best = result.best_agree[g]
        if best is not None:
            share = best.n_success / best.n_trials if best.n_trials else 0.0
            typer.echo(f"  {share:4.0%} agree    {_text(export, best.statement_id)}  (best agree)")
        for rep in result.representative[g]:
            if best is not None and rep.statement_id == best.statement_id:
                continue
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


def _write_history(path: Path, replayed: Replay) -> None:
    """One JSON object a line per recompute: when, how many votes, k and every group."""
    import json as json_module

    with path.open("w", encoding="utf-8") as handle:
        for number, step in enumerate(replayed.steps, start=1):
            result = step.map
            line = {
                "recompute": number,
                "time": step.time,
                "votes": step.votes,
                "k": result.k if result is not None else 0,
                "groups": {str(p): g for p, g in result.group_of().items()}
                if result is not None
                else {},
            }
            handle.write(json_module.dumps(line, separators=(",", ":")) + "\n")


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
    replay: Annotated[
        bool,
        typer.Option(
            "--replay",
            help="Replay votes.csv in time order through the live rooms' recompute, a batch "
            "at a time, and report the groups at the end (see docs/analysis.md).",
        ),
    ] = False,
    every: Annotated[
        float,
        typer.Option("--every", help="With --replay: seconds of votes per recompute.", min=0.0),
    ] = EVERY,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            help="With --replay: write k and the groups after each recompute to this file "
            "(JSON, one recompute a line).",
            dir_okay=False,
            writable=True,
        ),
    ] = None,
) -> None:
    """Find opinion groups and their representative, consensus and divisive statements."""
    from denkdag.analysis import compute
    from denkdag.formats.polis import read_export, read_history, write_json

    if history is not None and not replay:
        raise typer.BadParameter("--history needs --replay", param_hint="--history")
    export = read_export(folder)
    if replay:
        from denkdag.app.opinions import replay_room

        timed, rejected = read_history(folder)
        replayed = replay_room(timed, every=every, excluded=rejected)
        if history is not None:
            _write_history(history, replayed)
        final = replayed.final
        if final is None:
            typer.echo("Too few voters for opinion groups at any point of the replay.")
            raise typer.Exit(1)
        typer.echo(f"Replayed {len(timed)} votes in {len(replayed.steps)} recomputes")
        result = final
    else:
        result = compute(export.votes)
    _report(export, result)
    if json is not None:
        write_json(json, export, result)
        typer.echo("")
        typer.echo(f"Wrote {json}")
