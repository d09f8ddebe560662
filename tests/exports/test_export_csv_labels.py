"""The CSV keeps what was stored (option ids, a scale's JSON) and adds the deck's words
beside it in `answer_label`, made inert for spreadsheets like every other cell."""

from __future__ import annotations

import csv
import io

import pytest

from denkdag.formats.export_csv import ANSWER_HEADER, answers_csv
from harness.exports import CANARY, Built

pytestmark = pytest.mark.anyio


async def test_csv_adds_labels_beside_the_ids(built: Built) -> None:
    answers = await built.service.store.session_answers(built.session.id)
    text = answers_csv(built.session, answers)
    header = next(csv.reader(io.StringIO(text)))
    assert header == [*ANSWER_HEADER, "answer_label"]  # the old columns, in the old places
    rows = list(csv.DictReader(io.StringIO(text)))
    by = {(r["slide"], r["participant"]): (r["answer"], r["answer_label"]) for r in rows}

    assert by[("s2", "p1")] == ("a", "Maandag")
    assert by[("s2", "p3")] == ("b", "'=SUM(A1:A9)")  # a label a spreadsheet would run
    assert by[("s2", "p4")] == ("c", f"Woensdag {CANARY}")
    assert by[("s3", "p3")] == ("a;b;c", "Lezen;Digitaal;@Cultuur")  # only a cell's start counts
    assert by[("s3", "p4")] == ("c", "'@Cultuur")
    assert by[("s9", "p2")] == ("b;a", "Samen aankopen;Kennis delen")  # in ranked order
    assert by[("s6", "p2")] == ('{"a": 5}', "Ik ken de partners: 5")
    # Text is its own label: statements' votes, words and open answers get none.
    assert by[("s4", "p1")] == ("agree", "")
    assert by[("s7", "p2")] == ("vertrouwen;tijd", "")
    assert by[("s8", "p1")][1] == ""
