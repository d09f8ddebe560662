"""Word clouds: each participant gives one to three short words; the room's words grow.

Deck syntax: settings `words` (how many a participant may give, 1–3, default 3) and
`banned` (words the facilitator refuses, separated by commas), then an optional prompt.

    # Eén woord voor samenwerking?
    kind: wordcloud
    words: 3
    banned: stom, idioot

An answer is a list of words (`["Vertrouwen", "tijd"]`), stored as typed. Counting
folds them: case and accents do not matter, punctuation around a word is dropped, and
Dutch, French and English stop words are refused and never counted. The cloud shows a
word in the form most participants typed, and lists words in order of first appearance,
so a screen can place each word once and only let it grow.

A facilitator may hide a word (by its counting key, so every spelling of it goes): the
cloud and `words` leave it out for everyone, and the facilitator's tally lists it under
`hidden_words` (with how many gave it) so it can be shown again. The answers holding it
are kept as given.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

from denkdag.domain.errors import N_, InvalidAnswer
from denkdag.domain.kinds.base import (
    Form,
    KindDefaults,
    Setting,
    SlideContent,
    SlideSource,
    TallySource,
    body_text,
    parse_int,
)
from denkdag.domain.kinds.participant_text import (
    BANNED_SETTING,
    clean_text,
    fold,
    read_banned,
    refuse_banned,
    write_banned,
)
from denkdag.domain.kinds.stopwords import STOP_WORDS
from denkdag.domain.model import Slide
from denkdag.domain.tally import AnswerRecord, Tally

MAX_WORDS = 3
MAX_WORD_LENGTH = 40


def _is_edge(ch: str) -> bool:
    """Punctuation or space that may surround a word and is dropped from it."""
    return ch.isspace() or unicodedata.category(ch).startswith("P")


def shown_form(word: str) -> str:
    """A word as the cloud shows it: punctuation around it dropped, inner spaces single."""
    start, end = 0, len(word)
    while start < end and _is_edge(word[start]):
        start += 1
    while end > start and _is_edge(word[end - 1]):
        end -= 1
    return " ".join(word[start:end].split())


def normalise(word: str) -> str:
    """The key a word is counted under: its shown form, folded."""
    return fold(shown_form(word))


def hidden_key(word: object) -> str:
    """The counting key of a word a facilitator hides or shows again; InvalidAnswer when it
    is not a word the cloud could show."""
    if not isinstance(word, str):
        raise InvalidAnswer(N_("Name the word to hide as text."))
    text = " ".join(word.split())
    if len(text) > MAX_WORD_LENGTH:
        raise InvalidAnswer(
            N_("A word in the cloud has at most %(limit)s characters."), limit=MAX_WORD_LENGTH
        )
    key = normalise(text)
    if not key:
        raise InvalidAnswer(N_("Name the word to hide: it has no letters or digits."))
    return key


def word_limit(slide: Slide) -> int:
    """How many words one participant may give on this slide."""
    return int(slide.extra.get("words", MAX_WORDS))


class WordCloudKind(KindDefaults):
    """One to three words per participant, counted after folding."""

    name = "wordcloud"
    asks = True
    settings = frozenset({"words", "banned"})
    label = N_("Word cloud")
    starter = N_("# One word for …?\nkind: wordcloud\nwords: 3")
    form_settings = (
        Setting("words", N_("Words per participant"), "number", 1, MAX_WORDS, str(MAX_WORDS)),
        BANNED_SETTING,
    )
    tally_source: TallySource = "words"
    partials = frozenset({"phone", "projector", "remote", "report", "results"})
    moderated = False

    def read_form(self, slide: Slide, form: Form) -> Any:
        """Up to three `word` inputs; the empty ones are left out."""
        words = form.get("word", ())
        return [word for word in words if isinstance(word, str) and word.strip()]

    def read(self, source: SlideSource) -> SlideContent:
        extra: dict[str, Any] = {"words": parse_int(source, "words", MAX_WORDS, 1, MAX_WORDS)}
        banned = read_banned(source)
        if banned:
            extra["banned"] = list(banned)
        return SlideContent(body=body_text(source.body), extra=extra)

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        settings = {}
        if word_limit(slide) != MAX_WORDS:
            settings["words"] = str(word_limit(slide))
        settings |= write_banned(slide.extra.get("banned", ()))
        return settings, slide.body.split("\n") if slide.body else []

    def validate(self, slide: Slide, value: object) -> Any:
        limit = word_limit(slide)
        words = [value] if isinstance(value, str) else value
        if not isinstance(words, list) or not words:
            raise InvalidAnswer(
                N_("Give one to %(limit)s words: a list of short texts."), limit=limit
            )
        if len(words) > limit:
            raise InvalidAnswer(
                N_("Give at most %(limit)s words; you gave %(given)s."),
                limit=limit,
                given=len(words),
            )
        kept: dict[str, str] = {}
        for word in words:
            text = clean_text(word, max_length=MAX_WORD_LENGTH, what=N_("A word"), lines=False)
            key = normalise(text)
            if not key:
                raise InvalidAnswer(
                    N_("'%(text)s' has no letters or digits; type a word."), text=text
                )
            if key in STOP_WORDS:
                raise InvalidAnswer(
                    N_(
                        "'%(text)s' is too common a word to show in the cloud; choose one that "
                        "says more."
                    ),
                    text=text,
                )
            refuse_banned(text, slide.extra.get("banned", ()))
            kept.setdefault(key, text)
        return list(kept.values())

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        """The cloud from bare values, in the order given (for exports and tests)."""
        records = (AnswerRecord(id=index, value=value) for index, value in enumerate(answers))
        return self.tally_records(slide, records)

    def tally_records(
        self,
        slide: Slide,
        records: Iterable[AnswerRecord],
        hidden: Collection[str] = frozenset(),
    ) -> Tally:
        """The cloud; words whose key is in `hidden` are left out but for the facilitator's
        `hidden_words` list."""
        banned = slide.extra.get("banned", ())
        counts: Counter[str] = Counter()
        forms: dict[str, Counter[str]] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        respondents = 0
        for record in records:
            words = record.value if isinstance(record.value, list) else []
            respondents += 1
            seen_here: set[str] = set()
            for position, word in enumerate(words):
                if not isinstance(word, str):
                    continue
                key = normalise(word)
                if not key or key in STOP_WORDS or key in seen_here or _banned(word, banned):
                    continue
                seen_here.add(key)
                counts[key] += 1
                forms.setdefault(key, Counter())[shown_form(word)] += 1
                seen = (record.id, position)
                first_seen[key] = min(first_seen.get(key, seen), seen)
        order = sorted(counts, key=lambda key: (first_seen[key], key))
        shown = [key for key in order if key not in hidden]
        cloud = [
            {"word": key, "text": _commonest(forms[key]), "count": counts[key]} for key in shown
        ]
        public = {"words": {key: counts[key] for key in shown}, "cloud": cloud}
        if not hidden:
            return Tally(slide_id=slide.id, kind=self.name, respondents=respondents, extra=public)
        taken_out = [key for key in order if key in hidden]
        taken_out += sorted(key for key in hidden if key not in counts)  # nobody gives it now
        hidden_words = [
            {
                "word": key,
                "text": _commonest(forms[key]) if key in forms else key,
                "count": counts.get(key, 0),
            }
            for key in taken_out
        ]
        return Tally(
            slide_id=slide.id,
            kind=self.name,
            respondents=respondents,
            extra=public | {"hidden_words": hidden_words},
            public_extra=public,
        )


def _commonest(forms: Counter[str]) -> str:
    """The form typed most often; ties go to the first in code-point order (stable)."""
    return min(forms, key=lambda form: (-forms[form], form))


def _banned(word: str, banned: Iterable[str]) -> bool:
    try:
        refuse_banned(word, banned)
    except InvalidAnswer:
        return True
    return False


KIND = WordCloudKind()
