"""Refusals speak the person's language: the API's `detail`, the phone page and the deck
import form say what is wrong in Dutch, English or French, chosen as a page chooses it
(the user's pick, then the session's language, then the browser's); a client that states
no language at all gets English, the API's own."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from denkdag.formats.deck import parse_deck
from denkdag.web.auth import CSRF_COOKIE, LOGIN_COOKIE

pytestmark = pytest.mark.anyio

EVERY_KIND = Path(__file__).parents[1] / "kinds" / "every_kind.md"
CSRF = "csrf-refusal-test"
IMAGE_DECK = "---\ntitle: Beelden\n---\n\n# Zaal\nimage: images/zaal.png\nalt: De zaal\n"


async def _session(running: Any, language: str) -> Any:
    """`running` on a new session of the every-kind deck in `language`."""
    text = EVERY_KIND.read_text(encoding="utf-8").replace("language: nl", f"language: {language}")
    deck = parse_deck(text)
    assert deck.info.language == language
    user = await running.service.store.ensure_user("facilitator")
    session = await running.service.sessions.create(deck, user.id)
    return dataclasses.replace(running, code=session.code)


async def _vote(running: Any, token: str, slide: str, value: Any, **more: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} | more.pop("headers", {})
    return await running.client.put(
        f"/api/v1/sessions/{running.code}/slides/{slide}/response",
        json={"value": value},
        headers=headers,
        **more,
    )


async def test_a_vote_on_a_closed_slide_is_refused_in_the_language_of_the_page(
    running: Any,
) -> None:
    token = await running.join()
    await running.control("goto", "s4")
    await running.control("close")
    # The seed session is Dutch: a French browser sees a French page, so a French refusal;
    # a browser speaking none of the three gets the session's Dutch.
    browser = await _vote(running, token, "s4", "a", headers={"Accept-Language": "fr-BE,fr"})
    assert browser.status_code == 409
    assert browser.json() == {"detail": "Le vote sur cette diapositive est clôturé."}
    german = await _vote(running, token, "s4", "a", headers={"Accept-Language": "de-DE"})
    assert german.json() == {"detail": "Het stemmen over deze slide is gesloten."}
    # Picking French (the language cookie, as the page's language menu sets it) wins.
    running.client.cookies.set("dd_lang", "fr")
    picked = await _vote(running, token, "s4", "a", headers={"Accept-Language": "nl"})
    assert picked.status_code == 409
    assert picked.json() == {"detail": "Le vote sur cette diapositive est clôturé."}
    running.client.cookies.delete("dd_lang")
    english = await _vote(running, token, "s4", "a", params={"lang": "en"})
    assert english.json() == {"detail": "Voting on this slide is closed."}
    # A script that states no language gets the API's English.
    script = await _vote(running, token, "s4", "a")
    assert script.status_code == 409
    assert script.json() == {"detail": "Voting on this slide is closed."}


async def test_word_cloud_refusals_with_their_parameters_in_french_and_dutch(
    running: Any,
) -> None:
    french = await _session(running, "fr")
    await french.control("goto", "cloud")
    token = await french.join()
    browser = {"Accept-Language": "fr-BE,fr;q=0.9"}
    stop_word = await _vote(french, token, "cloud", ["the"], headers=browser)
    assert stop_word.status_code == 422
    assert stop_word.json()["detail"] == (
        "'the' est un mot trop courant pour le nuage\u00a0; choisissez-en un qui en dit plus."
    )
    too_many = await _vote(french, token, "cloud", ["a", "b", "c", "d"], headers=browser)
    assert too_many.json()["detail"] == "Donnez 3 mots au plus\u00a0; vous en avez donné 4."
    banned = await _vote(french, token, "cloud", ["Heel  DOM"], headers=browser)
    assert banned.json()["detail"] == (
        "Votre réponse contient un mot que l’animateur n’autorise pas ici\u00a0; "
        "veuillez la reformuler."
    )
    empty = await _vote(french, token, "cloud", [" "], headers=browser)
    assert empty.json()["detail"] == "Un mot est vide\u00a0; tapez d’abord quelque chose."

    dutch = await _session(running, "nl")
    await dutch.control("goto", "cloud")
    token = await dutch.join()
    refused = await _vote(dutch, token, "cloud", ["the"], headers={"Accept-Language": "de"})
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "'the' is een te gewoon woord voor de woordwolk; kies er een dat meer zegt."
    )


async def test_a_facilitator_refusal_in_french(running: Any) -> None:
    french = await _session(running, "fr")
    response = await french.client.post(
        f"/api/v1/sessions/{french.code}/control",
        json={"action": "goto", "slide": "nowhere"},
        headers=french.facilitator() | {"Accept-Language": "fr"},
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Cette session n’a pas de diapositive 'nowhere'."}


async def test_an_unknown_join_code_is_refused_in_the_browser_language(running: Any) -> None:
    response = await running.client.get(
        "/api/v1/sessions/00000000", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"}
    )
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Aucune session n’a ce code de participation. Vérifiez le code et réessayez."
    }


async def test_the_phone_page_shows_the_refusal_in_dutch(running: Any) -> None:
    """Without JavaScript the phone posts its form; the page comes back with the refusal in
    the page's language (the session is Dutch, the browser German), not in English."""
    dutch = await _session(running, "nl")
    client = dutch.client
    page = await client.get(f"/j/{dutch.code}", headers={"Accept-Language": "de"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    await client.post(f"/j/{dutch.code}/join", data={"csrf_token": csrf[1]})
    await dutch.control("goto", "ranking")
    twice = {"rank-a": "1", "rank-b": "1", "rank-c": "2"}
    refused = await client.post(
        f"/j/{dutch.code}/answer",
        data=twice | {"csrf_token": csrf[1], "slide": "ranking"},
        headers={"Accept-Language": "de"},
    )
    assert refused.status_code == 422
    assert '<html lang="nl"' in refused.text
    assert "Geef elke optie een andere plaats, van 1 tot 3." in refused.text
    assert "Give each option" not in refused.text
    await dutch.control("goto", "cloud")
    common = await client.post(
        f"/j/{dutch.code}/answer", data={"csrf_token": csrf[1], "slide": "cloud", "word": "de"}
    )
    assert common.status_code == 422
    assert "&#39;de&#39; is een te gewoon woord voor de woordwolk" in common.text


async def _signed_in(running: Any) -> None:
    user = await running.service.store.ensure_user("facilitator")
    running.client.cookies.set(LOGIN_COOKIE, await running.service.access.create_login(user))
    running.client.cookies.set(CSRF_COOKIE, CSRF)


async def _import(running: Any, name: str, data: bytes, language: str) -> Any:
    return await running.client.post(
        "/sessions/import",
        data={"csrf_token": CSRF},
        files={"deck": (name, data, "text/markdown")},
        headers={"Accept-Language": language},
    )


async def test_a_broken_deck_in_the_import_form_keeps_file_and_line_and_translates_the_rest(
    running: Any,
) -> None:
    await _signed_in(running)
    broken = b"---\ntitle: Kapot\n---\n# Vraag\nkind: choice\ncolour: red\n"
    french = await _import(running, "kapot.md", broken, "fr-BE,fr")
    assert french.status_code == 422
    assert (
        "kapot.md:6: réglage inconnu &#39;colour&#39; pour une diapositive de type choice"
        in french.text
    )
    dutch = await _import(running, "kapot.md", broken, "nl")
    assert (
        "kapot.md:6: onbekende instelling &#39;colour&#39; voor een slide van het type choice"
        in (dutch.text)
    )
    english = await _import(running, "kapot.md", broken, "en")
    assert "kapot.md:6: unknown setting &#39;colour&#39; for a choice slide" in english.text
    profile = b"---\ntitle: Kapot\nprofile: Ik werk in: bibliotheek\n---\n# Vraag\n"
    refused = await _import(running, "profiel.md", profile, "fr")
    assert refused.status_code == 422
    assert "profiel.md:3: une question de profil s’écrit &#39;question: option" in refused.text
    # A phrase inside the sentence ("in the zip") is translated too.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("deck.md", IMAGE_DECK)
    nested = await _import(running, "dag.zip", buffer.getvalue(), "nl")
    assert nested.status_code == 422
    assert (
        "dag.zip:deck.md:6: afbeelding &#39;images/zaal.png&#39; staat niet in de zip"
        in nested.text
    ), nested.text
    not_markdown = await _import(running, "photo.png", b"\x89PNG", "nl")
    assert (
        "photo.png:1: een deckbestand is een Markdown-bestand (.md) of een zip met afbeeldingen"
        in not_markdown.text
    )
