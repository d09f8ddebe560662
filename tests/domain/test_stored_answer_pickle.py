"""A stored answer crosses to the export workers by pickle: whole, and as its fields."""

from __future__ import annotations

import pickle
from dataclasses import fields
from datetime import UTC, datetime

from denkdag.domain.model import StoredAnswer


def test_a_stored_answer_pickles_whole_and_as_its_fields() -> None:
    answer = StoredAnswer(
        7, "s4", {"a": [1, 2]}, datetime(2026, 12, 7, 15, 0, tzinfo=UTC), True, True
    )
    assert pickle.loads(pickle.dumps(answer)) == answer
    every_field = tuple(getattr(answer, field.name) for field in fields(StoredAnswer))
    assert answer.__reduce__()[1] == every_field  # a new field must be pickled too
    plain = StoredAnswer(1, "s1", "a", answer.updated_at)
    assert pickle.loads(pickle.dumps(plain)) == plain
