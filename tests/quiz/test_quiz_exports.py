"""The quiz in every export format: each question's share right and the final ranking by
nickname, in JSON, CSV, XLSX and PDF (one export use case, app/exports.py); nicknames
never stand beside the answers' pseudonyms."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from denkdag.app.exports import export_session

pytestmark = pytest.mark.anyio


async def played(quizzing: Any) -> Any:
    """Ann right on q1 and q2, Bob right on q1 only, an anonymous participant wrong."""
    ann, bob, anonymous = [await quizzing.join() for _ in range(3)]
    for token, name in ((ann, "Ann"), (bob, "Bob")):
        await quizzing.client.put(
            f"/api/v1/sessions/{quizzing.code}/nickname",
            json={"nickname": name},
            headers={"Authorization": f"Bearer {token}"},
        )
    await quizzing.control("goto", "q1")
    for token, value in ((ann, "b"), (bob, "b"), (anonymous, "a")):
        assert (await quizzing.answer(token, "q1", value)).status_code == 200
    await quizzing.control("goto", "q2")
    for token, value in ((ann, "c"), (bob, "a")):
        assert (await quizzing.answer(token, "q2", value)).status_code == 200
    return await quizzing.service.sessions.get(quizzing.code)


async def test_json_and_csv_hold_the_share_right_and_the_ranking(quizzing: Any) -> None:
    session = await played(quizzing)
    document = json.loads((await export_session(quizzing.service, session, "json", "en")).data)
    questions = {q["slide"]: q for q in document["quiz"]["questions"]}
    assert questions["q1"] | {"title": ""} == {
        "slide": "q1",
        "title": "",
        "correct": ["b"],
        "answered": 3,
        "right": 2,
        "share_right": 67,
    }
    assert questions["q2"]["share_right"] == 50 and questions["q3"]["answered"] == 0
    assert [(p["nickname"], p["rank"]) for p in document["quiz"]["ranking"]] == [
        ("Ann", 1),
        ("Bob", 2),
    ]
    text = (await export_session(quizzing.service, session, "csv", "en")).data.decode()
    rows = list(csv.reader(io.StringIO(text)))
    ranking = [row for row in rows if row[2] == "quiz-ranking"]
    assert [(row[4], row[5]) for row in ranking] == [("", "Ann"), ("", "Bob")]
    shares = {row[1]: row[9] for row in rows if row[2] == "quiz-question"}
    assert shares["q1"] == "67% right"
    answers = [row for row in rows if row[2] == "quiz" and row[1] == "q1"]
    assert len(answers) == 3 and not {row[4] for row in answers} & {"Ann", "Bob"}


async def test_the_workbook_and_the_pdf_hold_the_quiz(quizzing: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    session = await played(quizzing)
    workbook = load_workbook(
        io.BytesIO((await export_session(quizzing.service, session, "xlsx", "en")).data)
    )
    sheet = workbook["Quiz"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Question", "Answered", "Right", "Share right"]
    assert values[1][1:] == [3, 2, 0.67]
    assert ["Rank", "Nickname", "Points", None] in values
    assert [1, "Ann"] == values[-2][:2] and [2, "Bob"] == values[-1][:2]
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed")
    pdf = tmp_path / "quiz.pdf"
    pdf.write_bytes((await export_session(quizzing.service, session, "pdf", "en")).data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert "Final ranking" in flat and "1 Ann" in flat and "2 Bob" in flat
    assert "Hoofdstad van België? 3 2 67%" in flat
