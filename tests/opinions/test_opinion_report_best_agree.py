"""The report shows each group's best-agree statement first, beside its representative ones."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from denkdag.domain.model import Slide, StoredAnswer
from denkdag.domain.tally import Tally
from denkdag.formats.report import SlideResult, opinion_summary
from denkdag.formats.report_html import environment

STATEMENTS = {
    "bikes": "Bikes belong on the road.",
    "cars": "Cars belong on the road.",
    "buses": "Buses should be free.",
    "trams": "Trams beat buses.",
    "walk": "Everyone should be able to walk to school.",
}


def _room() -> tuple[list[SlideResult], list[StoredAnswer]]:
    """Two camps of 12: opposite on bikes, cars, buses and trams; everyone agrees on walking."""
    slides = [
        SlideResult(
            Slide(id=sid, kind="statement", title=text, statement=text),
            position,
            Tally(sid, "statement", 24),
        )
        for position, (sid, text) in enumerate(STATEMENTS.items(), 1)
    ]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    answers = []
    for participant in range(24):
        north = participant < 12
        for sid in STATEMENTS:
            if sid == "walk":
                value = "agree"
            else:
                value = "agree" if north == (sid in {"bikes", "buses"}) else "disagree"
            answers.append(StoredAnswer(participant, sid, value, now))
    return slides, answers


def test_each_group_of_the_report_has_its_best_agree_statement_first() -> None:
    slides, answers = _room()
    summary = opinion_summary(slides, answers)
    assert summary is not None and summary.drawn and len(summary.groups) == 2
    best = {group.best_agree.slide.id for group in summary.groups if group.best_agree}
    assert len(best) == 2 and best <= set(STATEMENTS) - {"walk"}

    macro = environment("en").get_template("report_charts.html").module.opinion_map  # type: ignore[attr-defined]
    html = str(macro(summary))
    sections = html.split("<h3>")[1 : 1 + len(summary.groups)]  # one per group, in order
    for group, section in zip(summary.groups, sections, strict=True):
        assert group.best_agree is not None
        texts = re.findall(r'<span class="share-text">(.*?)</span>', section)
        assert texts[0] == group.best_agree.slide.statement  # first, and not repeated
        assert texts.count(group.best_agree.slide.statement) == 1
        assert set(texts) == {group.best_agree.slide.statement} | {
            rep.slide.statement for rep in group.representative
        }
