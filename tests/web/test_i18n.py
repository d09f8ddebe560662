"""Interface translations: the catalogues are complete and current, and the language is chosen
as promised (the user's pick, then the browser's, then the session's language, then Dutch)."""

from __future__ import annotations

import ast
import html
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from denkdag.formats.deck import parse_deck
from denkdag.web import i18n
from harness.decks import EVERY_KIND_DECK

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "denkdag" / "locale"
POT = LOCALE / "messages.pot"
LANGUAGES_WITH_CATALOGUE = ("nl", "fr")
PLURAL_FORMS = {"nl": "nplurals=2; plural=(n != 1);", "fr": "nplurals=2; plural=(n > 1);"}

UPDATE_COMMAND = (
    ".venv/bin/pybabel extract -F babel.cfg -o src/denkdag/locale/messages.pot"
    " --no-location --sort-output --project=Denkdag"
    ' --copyright-holder="Denkdag contributors" .'
    " && .venv/bin/pybabel update -i src/denkdag/locale/messages.pot"
    " -d src/denkdag/locale --ignore-obsolete"
)
HOW_TO_FIX = (
    f"\n\nFrom the repository root, run:\n\n    {UPDATE_COMMAND}\n\n"
    "then translate every new (empty) or fuzzy entry in "
    + ", ".join(
        f"src/denkdag/locale/{lang}/LC_MESSAGES/messages.po" for lang in LANGUAGES_WITH_CATALOGUE
    )
    + " and delete the '#, fuzzy' lines (see src/denkdag/locale/README.md)."
)

# printf-style placeholders (%(name)s, %s, %d, %%) and str.format fields ({name}, {0}, {}).
# The space flag is left out on purpose: "50 % akkoord" is a typo for "50 %% akkoord", not "% a".
PRINTF = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\-+]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]"
)
BRACES = re.compile(r"(?<!\{)\{(?P<field>[A-Za-z0-9_.\[\]]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")

Key = tuple[str | None, str]


def _key(context: str | None, message_id: str | tuple[str, ...]) -> Key:
    return (context, message_id if isinstance(message_id, str) else message_id[0])


def _show(key: Key) -> str:
    context, message_id = key
    return repr(message_id) if context is None else f"{message_id!r} (context {context!r})"


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _messages(catalog: Catalog) -> dict[Key, Message]:
    return {_key(m.context, m.id): m for m in catalog if m.id}


def _extracted() -> set[Key]:
    """What `pybabel extract -F babel.cfg .` finds now, through Babel's Python API."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, filename=str(ROOT / "babel.cfg"))
    return {
        _key(context, message)
        for _filename, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map
        )
    }


def _strings(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _ids(message: Message) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


# the template is current ----------------------------------------------------------------


def test_the_template_has_every_message_of_the_code_and_no_other() -> None:
    extracted = _extracted()
    committed = set(_messages(_read(POT)))
    missing = sorted(extracted - committed, key=str)
    stale = sorted(committed - extracted, key=str)
    problems = []
    if missing:
        problems.append(
            f"{len(missing)} message(s) in the code are missing from "
            "src/denkdag/locale/messages.pot:\n" + "\n".join(f"  {_show(k)}" for k in missing)
        )
    if stale:
        problems.append(
            f"{len(stale)} message(s) in src/denkdag/locale/messages.pot are no longer in "
            "the code:\n" + "\n".join(f"  {_show(k)}" for k in stale)
        )
    assert not problems, "\n\n".join(problems) + HOW_TO_FIX


def test_the_extraction_finds_the_templates() -> None:
    # Guards the test above against a babel.cfg that silently matches nothing.
    assert (None, "Join") in _extracted()


# the catalogues are complete ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES_WITH_CATALOGUE)
def test_every_message_has_a_translation(language: str) -> None:
    template = _messages(_read(POT))
    catalog = _read(LOCALE / language / "LC_MESSAGES" / "messages.po", locale=language)
    translated = _messages(catalog)
    absent = [k for k in template if k not in translated]
    fuzzy = [k for k in template if k in translated and translated[k].fuzzy]
    empty = [
        k
        for k in template
        if k in translated
        and not translated[k].fuzzy
        and not all(s.strip() for s in _strings(translated[k]))
    ]
    problems = [
        f"{title} in {language}:\n" + "\n".join(f"  {_show(k)}" for k in keys)
        for title, keys in (
            ("Not in the catalogue", absent),
            ("Fuzzy (a guess, not used)", fuzzy),
            ("Not translated", empty),
        )
        if keys
    ]
    assert not problems, "\n\n".join(problems) + HOW_TO_FIX


def test_french_typography() -> None:
    """« l’événement », never « l'événement »: one apostrophe throughout the French UI
    (a straight quote stays where it quotes a name, as in 'min'); and a no-break space
    before : ; ? ! » and after «, so a narrow phone never starts a line with the sign."""
    catalog = _read(LOCALE / "fr" / "LC_MESSAGES" / "messages.po", locale="fr")
    texts = [text for message in _messages(catalog).values() for text in _strings(message)]
    straight = [text for text in texts if re.search(r"(?<=[^\W\d_])'(?=[^\W\d_])", text)]
    assert not straight, "Write ’ in:\n" + "\n".join(straight)
    breakable = [text for text in texts if re.search(r" [:;?!»]|« ", text)]
    assert not breakable, "Write a no-break space (U+00A0) in:\n" + "\n".join(breakable)


@pytest.mark.parametrize("language", LANGUAGES_WITH_CATALOGUE)
def test_the_catalogue_header_is_right(language: str) -> None:
    catalog = _read(LOCALE / language / "LC_MESSAGES" / "messages.po", locale=language)
    headers = dict(catalog.mime_headers)
    assert not catalog.fuzzy, f"the header of {language} is marked fuzzy"
    assert headers["Language"] == language
    assert headers["Plural-Forms"] == PLURAL_FORMS[language]
    assert "charset=utf-8" in headers["Content-Type"].lower()
    checks = [
        f"  {_show(_key(m.context, m.id))}: {error}"
        for m, errors in catalog.check()
        for error in errors
    ]
    assert not checks, f"Babel's checks fail in {language}:\n" + "\n".join(checks)


# placeholders ----------------------------------------------------------------------------


def _placeholders(text: str) -> tuple[Counter[str], list[str], str]:
    """Named placeholders, the order of positional ones, and what is left of `%` after both."""
    named: Counter[str] = Counter()
    positional: list[str] = []
    for match in PRINTF.finditer(text):
        if match.group(0) == "%%":
            continue
        if match.group("name") is not None:
            named[match.group(0)] += 1
        else:
            positional.append(match.group(0))
    for match in BRACES.finditer(text):
        if match.group("field") and not match.group("field").isdigit():
            named[match.group(0)] += 1
        else:
            positional.append(match.group(0))
    return named, positional, PRINTF.sub("", text)


@pytest.mark.parametrize(
    ("text", "named", "positional"),
    [
        ("Hello %(name)s, %(count)d new", {"%(name)s": 1, "%(count)d": 1}, []),
        ("{count} joined · {0} · {}", {"{count}": 1}, ["{0}", "{}"]),
        ("50%% of %s", {}, ["%s"]),
        ("{{ literal }}", {}, []),
    ],
)
def test_placeholders_are_recognised(
    text: str, named: dict[str, int], positional: list[str]
) -> None:
    found_named, found_positional, _rest = _placeholders(text)
    assert found_named == Counter(named)
    assert found_positional == positional


def test_a_stray_percent_sign_is_caught() -> None:
    assert "%" in _placeholders("100 % akkoord")[2]
    assert "%" not in _placeholders("100 %% akkoord, %(n)s")[2]


@pytest.mark.parametrize("language", LANGUAGES_WITH_CATALOGUE)
def test_translations_keep_the_placeholders(language: str) -> None:
    catalog = _read(LOCALE / language / "LC_MESSAGES" / "messages.po", locale=language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        source_named, source_positional, _ = _placeholders(_ids(message)[0])
        for translation in filter(None, _strings(message)):
            named, positional, rest = _placeholders(translation)
            if named != source_named or positional != source_positional:
                problems.append(
                    f"  {_show(_key(message.context, message.id))}: "
                    f"{sorted(source_named.elements()) + source_positional} in the msgid, "
                    f"{sorted(named.elements()) + positional} in {translation!r}"
                )
            if "%" in rest:
                # Templates use new-style gettext, which always applies `%` to the result.
                problems.append(
                    f"  {_show(_key(message.context, message.id))}: a lone '%' in "
                    f"{translation!r}; write '%%'"
                )
    assert not problems, f"Placeholders differ in {language}:\n" + "\n".join(problems)


# the runtime -----------------------------------------------------------------------------


def test_the_dutch_catalogue_is_loaded() -> None:
    assert i18n.translations("nl").gettext("Join") == "Deelnemen"
    assert i18n.translations("nl").gettext("Join code") == "Deelnamecode"


def test_the_french_catalogue_is_loaded() -> None:
    assert i18n.translations("fr").gettext("Join") == "Participer"
    assert i18n.translations("fr").gettext("Join code") == "Code de participation"


def test_english_is_the_source_language() -> None:
    assert i18n.translations("en").gettext("Join") == "Join"


@contextmanager
def _language(language: str) -> Iterator[None]:
    token = i18n.current_language.set(language)
    try:
        yield
    finally:
        i18n.current_language.reset(token)


def test_gettext_follows_the_request_language() -> None:
    with _language("fr"):
        assert i18n.gettext("Agree") == "D’accord"
    with _language("nl"):
        assert i18n.gettext("Agree") == "Akkoord"
    with _language("en"):
        assert i18n.gettext("Agree") == "Agree"


@pytest.mark.parametrize(
    ("picked", "session_language", "accept_language", "expected"),
    [
        # the user's pick wins
        ("fr", "nl", "en-GB,en;q=0.9", "fr"),
        ("en", None, None, "en"),
        # then the browser's languages Denkdag speaks, in order, by primary tag
        ("de", "en", "fr-BE", "fr"),
        (None, "nl", "fr-BE,fr;q=0.9,nl;q=0.8", "fr"),
        (None, "nl", "en-GB", "en"),
        (None, None, "de-DE,fr-BE;q=0.8,en;q=0.5", "fr"),
        (None, "xx", "EN-us", "en"),
        (None, None, " fr ; q=1", "fr"),
        # then the session's language
        (None, "fr", "de", "fr"),
        ("", "en", None, "en"),
        ("de", "en", "es", "en"),
        # then Dutch
        (None, None, None, "nl"),
        (None, None, "", "nl"),
        (None, None, "de, es;q=0.5, *", "nl"),
        ("xx", "yy", "zz", "nl"),
    ],
)
def test_choose_language(
    picked: str | None, session_language: str | None, accept_language: str | None, expected: str
) -> None:
    assert i18n.choose_language(picked, session_language, accept_language) == expected


# refusals are translated ------------------------------------------------------------------

SOURCE = ROOT / "src" / "denkdag"
REFUSAL_ROOTS = {
    "DomainError",  # and every subclass, wherever it is defined
    "DeckSyntaxError",
    "DeckError",
    "ProfileSyntaxError",
    "ImageRefused",
    "ImageRefError",
    "AccountRefused",
}
SENTENCE_ARGUMENT = {"DeckSyntaxError": 1, "ImageRefused": 1, "DeckError": 2, "SlideTextError": 2}
"""Which positional argument of a refusal is its sentence (the first one otherwise)."""


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in SOURCE.rglob("*.py")}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _refusal_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """The refusal classes and, by their bases as written, all their subclasses."""
    bases = {
        node.name: {_name(base) for base in node.bases}
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    found = set(REFUSAL_ROOTS)
    while grown := {name for name, parents in bases.items() if parents & found} - found:
        found |= grown
    return found


def _marked_constants(tree: ast.Module) -> set[str]:
    """Module-level names bound to `N_("…")`."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and _name(node.value.func) == "N_"
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _is_text(node: ast.expr) -> bool:
    """A sentence built in English at the raise: a literal, an f-string, `%` or `+` on one."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.Call) and _name(node.func) in {"format", "join", "str"}:
        return True
    return False


def _domain_templates(trees: dict[Path, ast.Module]) -> set[str]:
    return {
        node.args[0].value
        for path, tree in trees.items()
        if SOURCE / "domain" in path.parents
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _name(node.func) == "N_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def test_every_refusal_is_a_marked_template_not_an_english_sentence() -> None:
    """A refusal built from an English literal or f-string would reach Dutch and French
    pages in English: its sentence must be `N_("… %(name)s …")` with parameters, a name
    bound to `N_(…)`, or a Message / another refusal's sentence."""
    trees = _trees()
    refusals = _refusal_classes(trees)
    assert {"InvalidAnswer", "InvalidEvent", "SlideTextError", "UnknownSlide"} <= refusals
    problems = []
    for path, tree in trees.items():
        marked = _marked_constants(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) in refusals):
                continue
            index = SENTENCE_ARGUMENT.get(_name(node.func) or "", 0)
            if len(node.args) <= index:
                continue
            sentence = node.args[index]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if _is_text(sentence):
                problems.append(f"{where}: {ast.unparse(sentence)[:90]}")
            elif isinstance(sentence, ast.Name) and sentence.id not in marked:
                # a parameter (such as `detail` passed on) is fine; a module constant is not
                if sentence.id.isupper():
                    problems.append(f"{where}: {sentence.id} is not bound to N_(…)")
            elif (
                isinstance(sentence, ast.Call)
                and _name(sentence.func) == "N_"
                and not (
                    len(sentence.args) == 1
                    and isinstance(sentence.args[0], ast.Constant)
                    and isinstance(sentence.args[0].value, str)
                )
            ):
                problems.append(f"{where}: N_() takes one string literal")
    assert not problems, "Refusals with an English sentence instead of N_():\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("language", LANGUAGES_WITH_CATALOGUE)
def test_every_domain_error_template_is_translated(language: str) -> None:
    templates = _domain_templates(_trees())
    assert "Voting on this slide is closed." in templates
    assert "Give at most %(limit)s words; you gave %(given)s." in templates
    assert (None, "Voting on this slide is closed.") in _extracted()
    catalog = _messages(_read(LOCALE / language / "LC_MESSAGES" / "messages.po", locale=language))
    missing = sorted(
        template
        for template in templates
        if (None, template) not in catalog
        or catalog[(None, template)].fuzzy
        or not all(s.strip() for s in _strings(catalog[(None, template)]))
    )
    assert not missing, (
        f"Domain templates not translated in {language}:\n"
        + "\n".join(f"  {template!r}" for template in missing)
        + HOW_TO_FIX
    )


def test_a_refusal_renders_in_the_current_language() -> None:
    from denkdag.domain.errors import N_, InvalidAnswer
    from denkdag.formats.deck import DeckError

    error = InvalidAnswer(N_("Give at most %(limit)s words; you gave %(given)s."), limit=3, given=4)
    deck = DeckError("dag.md", 7, N_("an option needs a title after '- '"))
    with _language("nl"):
        assert i18n.refusal(error) == "Geef hoogstens 3 woorden; je gaf er 4."
        assert str(i18n.Refusal(deck)) == "dag.md:7: een optie heeft een titel nodig na '- '"
    with _language("fr"):
        assert i18n.refusal(error) == "Donnez 3 mots au plus\u00a0; vous en avez donné 4."
        assert i18n.Refusal(deck).__html__() == (
            "dag.md:7: une option a besoin d’un titre après &#39;- &#39;"
        )
    with _language("en"):
        assert i18n.refusal(error) == error.detail == "Give at most 3 words; you gave 4."


# every page in every language: no English left ---------------------------------------------

TEXT = re.compile(r">([^<>]+)<")
ATTRIBUTE = re.compile(
    r'\s(?:aria-label|title|placeholder|alt|data-[a-z-]*(?:text|label|template|legend))="([^"]*)"'
)


def _untranslated(language: str) -> dict[str, str]:
    """English msgids whose translation differs, by the words a page would show."""
    catalog = _read(LOCALE / language / "LC_MESSAGES" / "messages.po", language)
    found = {}
    for message in catalog:
        if not message.id or message.context:
            continue
        for english, translated in zip(
            message.id if isinstance(message.id, tuple) else (message.id,),
            message.string if isinstance(message.string, tuple) else (message.string,),
            strict=False,
        ):
            if english != translated and not PRINTF.search(english) and "\n" not in english:
                found[english] = translated
    return found


def _english_on(page: str, untranslated: dict[str, str]) -> set[str]:
    pieces = {p.strip() for p in TEXT.findall(page)} | {p.strip() for p in ATTRIBUTE.findall(page)}
    pieces = {html.unescape(p) for p in pieces if p}
    return {p for p in pieces if p in untranslated}


@pytest.mark.anyio
async def test_every_page_speaks_the_language_it_was_asked(running: Any) -> None:
    """Each page, and the phone and projector on every slide kind, in French and Dutch:
    no piece of text (or label an assistive technology reads) is a catalogue entry left in
    English, or in the other language."""
    service = running.service
    user = await service.store.ensure_user("facilitator")
    await service.accounts.grant_role(user, "organiser")
    user = await service.accounts.user_named("facilitator")
    session = await service.sessions.create(parse_deck(EVERY_KIND_DECK), user.id)
    code = session.code
    client = running.client
    signin = await service.access.create_signin_link(user)
    facilitator = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with facilitator:
        await facilitator.get(f"/signin/{signin}")
        slides = [s.id for s in session.deck.slides]
        for language in LANGUAGES_WITH_CATALOGUE:
            # English left over, or the other catalogue's words (Dutch on a French page).
            own = _untranslated(language)
            other = next(lang for lang in LANGUAGES_WITH_CATALOGUE if lang != language)
            foreign = {t: e for e, t in _untranslated(other).items() if t not in own.values()}
            untranslated = own | foreign
            left: dict[str, set[str]] = {}

            async def look(
                who: httpx.AsyncClient,
                path: str,
                language: str = language,
                untranslated: dict[str, str] = untranslated,
                left: dict[str, set[str]] = left,
            ) -> None:
                page = await who.get(path + ("&" if "?" in path else "?") + f"lang={language}")
                assert page.status_code < 500, path
                english = _english_on(page.text, untranslated)
                if english:
                    left[path] = english

            for path in ["/", "/privacy", "/login", f"/j/{code}", "/sessions", "/events"]:
                await look(client if path in {"/", "/privacy", "/login"} else facilitator, path)
            for path in [f"/c/{code}/questions", f"/e/{code}", f"/r/{code}", "/account"]:
                await look(facilitator, path)
            for slide in slides:
                await facilitator.post(
                    f"/api/v1/sessions/{code}/control",
                    json={"action": "goto", "slide": slide},
                    headers=running.facilitator(),
                )
                for path in [f"/p/{code}", f"/c/{code}", f"/j/{code}"]:
                    await look(facilitator, path + f"#{slide}")
            assert left == {}, f"English on {language} pages: {left}"
