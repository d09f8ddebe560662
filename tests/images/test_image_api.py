"""Slide images over HTTP (SQLite, and PostgreSQL with `--database postgresql`): only the
session's facilitators upload (404 for another's, as for an unknown code; CSRF for a
cookie), a wrong file is a 413/422 with a sentence; the image is served content-addressed
with its own type and `nosniff`, appears on the projector, the phone, the editor's
preview and the report (also in the PDF), goes with a copied session
and is gone with a deleted one."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from denkdag.storage.tables import slide_images
from denkdag.web.auth import CSRF_COOKIE, LOGIN_COOKIE
from harness.images import jpeg_with_gps, noisy_png, png

pytestmark = pytest.mark.anyio
ALT = "De zaal vol mensen aan ronde tafels"


async def upload(
    running: Any,
    data: bytes,
    *,
    slide: str = "s2",
    alt: str = ALT,
    version: int = 0,
    headers: dict[str, str] | None = None,
    name: str = "zaal.png",
) -> httpx.Response:
    return await running.client.post(
        f"/e/{running.code}/slides/{slide}/image",
        data={"alt": alt, "version": str(version)},
        files={"image": (name, data, "image/png")},
        headers=running.facilitator() if headers is None else headers,
        params={"lang": "en"},
    )


async def uploaded(running: Any, data: bytes | None = None, slide: str = "s2") -> str:
    """Upload an image to `slide`; the address it is served at."""
    response = await upload(running, data or png(), slide=slide)
    assert response.status_code == 201, response.text
    shown = next(s for s in response.json()["slides"] if s["id"] == slide)
    assert shown["alt"] == ALT and shown["image"].startswith(f"/media/{running.code}/")
    url: str = shown["image"]
    return url


async def image_rows(running: Any) -> list[Any]:
    async with running.service.store.reader.connect() as conn:
        return list((await conn.execute(select(slide_images))).all())


async def test_an_upload_puts_the_image_on_the_slide_and_serves_it(running: Any) -> None:
    url = await uploaded(running)
    name = url.rsplit("/", 1)[1]
    session = await running.service.sessions.get(running.code)
    slide = session.deck.slide("s2")
    assert slide is not None
    assert slide.extra["image"] == f"images/{name}" and slide.extra["alt"] == ALT
    served = await running.client.get(url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in served.headers["cache-control"]
    assert "max-age=31536000" in served.headers["cache-control"]
    assert served.content.startswith(b"\x89PNG")
    again = await running.client.get(url, headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304
    text = await running.client.get(f"/e/{running.code}/deck", headers=running.facilitator())
    block = next(s for s in text.json()["slides"] if s["id"] == "s2")["text"]
    assert f"image: images/{name}\nalt: {ALT}" in block


async def test_the_address_is_the_permission_and_cannot_be_walked(running: Any) -> None:
    url = await uploaded(running)
    name = url.rsplit("/", 1)[1]
    other = await running.service.sessions.create(
        (await running.service.sessions.get(running.code)).deck, None
    )
    for path in [
        f"/media/{other.code}/{name}",  # another session: its images are its own
        f"/media/{running.code}/{'0' * 32}.png",
        f"/media/{running.code}/{name.replace('.png', '.jpg')}",
        f"/media/{running.code}/%2e%2e%2f{name}",
        f"/media/{running.code}/",
        f"/media/NOPE00/{name}",
    ]:
        response = await running.client.get(path)
        assert response.status_code == 404, path


async def test_exif_gps_is_gone_from_what_is_served(running: Any) -> None:
    url = await uploaded(running, jpeg_with_gps())
    served = await running.client.get(url)
    assert served.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in served.content and b"CameraMaker" not in served.content


async def test_another_facilitator_gets_404_and_nothing_is_stored(running: Any) -> None:
    """Another's session is answered as an unknown code (404); no one signed in: 403."""
    stranger = await running.service.access.create_api_token("stranger")
    refused = await upload(running, png(), headers={"Authorization": f"Bearer {stranger}"})
    assert refused.status_code == 404
    nobody = await upload(running, png(), headers={})
    assert nobody.status_code == 403
    assert await image_rows(running) == []
    remove = await running.client.post(
        f"/e/{running.code}/slides/s2/image/remove",
        json={"version": 0},
        headers={"Authorization": f"Bearer {stranger}"},
    )
    assert remove.status_code == 404


async def test_a_cookie_signed_upload_needs_the_csrf_header(running: Any) -> None:
    user = await running.service.store.ensure_user("facilitator")
    running.client.cookies.set(LOGIN_COOKIE, await running.service.access.create_login(user))
    running.client.cookies.set(CSRF_COOKIE, "csrf-value")
    assert (await upload(running, png(), headers={})).status_code == 403
    accepted = await upload(running, png(), headers={"X-CSRF-Token": "csrf-value"})
    assert accepted.status_code == 201, accepted.text


@pytest.mark.parametrize(
    ("data", "alt", "status", "words"),
    [
        (b"<html><script>alert(1)</script></html>", ALT, 422, "SVG and other markup"),
        (b"GIF89a" + b"\0" * 30, ALT, 422, "cannot be read"),
        (b"just text", ALT, 422, "not a PNG, JPEG, WebP or GIF"),
        (png(), "   ", 422, "alt text"),
    ],
)
async def test_a_wrong_file_or_missing_alt_text_is_refused_with_a_sentence(
    running: Any, data: bytes, alt: str, status: int, words: str
) -> None:
    response = await upload(running, data, alt=alt, name="foto.png")
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert await image_rows(running) == []
    session = await running.service.sessions.get(running.code)
    assert "image" not in session.deck.slides[1].extra


async def test_an_oversized_image_is_413_with_a_sentence_and_a_huge_body_too(
    running: Any,
) -> None:
    response = await upload(running, noisy_png(830))
    assert response.status_code == 413
    assert "larger than 2 MB" in response.json()["detail"]
    huge = await upload(running, b"\x89PNG\r\n\x1a\n" + b"\0" * 3_000_000)
    assert huge.status_code == 413  # refused by the body limit, before parsing
    plain = await running.client.put(
        f"/e/{running.code}/slides/s2",
        json={"version": 0, "text": "# x\n\n" + "a" * 100_000},
        headers=running.facilitator(),
    )
    assert plain.status_code == 413  # other routes keep the small limit


async def test_a_stale_version_is_a_conflict_and_answers_in_dutch(running: Any) -> None:
    await uploaded(running)
    stale = await upload(running, png(colour=(1, 1, 1)), slide="s3", version=0)
    assert stale.status_code == 409 and stale.json()["conflict"] is True
    dutch = await running.client.post(
        f"/e/{running.code}/slides/s3/image",
        data={"alt": ALT, "version": "1"},
        files={"image": ("x.png", b"<svg onload=alert(1)>", "image/png")},
        headers=running.facilitator(),
    )
    assert dutch.status_code == 422 and "geweigerd" in dutch.json()["detail"]


async def test_typing_an_unknown_image_in_the_slide_text_names_the_line(running: Any) -> None:
    text = "# Zaal\nimage: images/andere.png\nalt: Iets\n\nTekst."
    response = await running.client.put(
        f"/e/{running.code}/slides/s2",
        json={"version": 0, "text": text},
        headers=running.facilitator(),
    )
    assert response.status_code == 422
    assert (
        response.json()["line"] == 2
        and "no image 'images/andere.png'" in response.json()["message"]
    )
    no_alt = await running.client.put(
        f"/e/{running.code}/slides/s2",
        json={"version": 0, "text": "# Zaal\nimage: images/x.png"},
        headers=running.facilitator(),
    )
    assert no_alt.status_code == 422 and "alt text" in no_alt.json()["message"]


async def test_remove_and_undo(running: Any) -> None:
    url = await uploaded(running)
    removed = await running.client.post(
        f"/e/{running.code}/slides/s2/image/remove",
        json={"version": 1},
        headers=running.facilitator(),
    )
    assert removed.status_code == 200
    assert next(s for s in removed.json()["slides"] if s["id"] == "s2")["image"] is None
    undone = await running.client.post(
        f"/e/{running.code}/undo", json={"version": 2}, headers=running.facilitator()
    )
    assert next(s for s in undone.json()["slides"] if s["id"] == "s2")["image"] == url
    assert (await running.client.get(url)).status_code == 200


async def test_the_image_is_on_the_projector_the_phone_the_preview_and_the_report(
    running: Any,
) -> None:
    url = await uploaded(running, slide="s1")
    token = await running.join()
    running.client.cookies.set(f"dd_p_{running.code}", token)
    phone = await running.client.get(f"/j/{running.code}/slide")
    assert f'src="{url}"' in phone.text and 'loading="lazy"' in phone.text
    assert f'alt="{ALT}"' in phone.text
    headers = running.facilitator()
    projector = await running.client.get(f"/p/{running.code}/slide", headers=headers)
    assert f'src="{url}"' in projector.text and "has-image" in projector.text
    preview = await running.client.get(f"/e/{running.code}/preview/s1", headers=headers)
    assert f'src="{url}"' in preview.text
    report = await running.client.get(f"/r/{running.code}", headers=headers)
    assert f'src="{url}"' in report.text


async def test_the_pdf_report_embeds_the_image(running: Any) -> None:
    await uploaded(running, png(size=(300, 200)), slide="s1")
    pdf = await running.client.get(f"/r/{running.code}.pdf", headers=running.facilitator())
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"/Subtype /Image" in pdf.content or b"/Subtype/Image" in pdf.content


async def test_a_copied_session_keeps_its_images_and_deletion_takes_them(running: Any) -> None:
    user = await running.service.store.ensure_user("facilitator")
    login = await running.service.access.create_login(user)
    url = await uploaded(running)
    name = url.rsplit("/", 1)[1]
    running.client.cookies.set(LOGIN_COOKIE, login)
    running.client.cookies.set(CSRF_COOKIE, "csrf-value")
    copied = await running.client.post(f"/e/{running.code}/copy", data={"csrf_token": "csrf-value"})
    assert copied.status_code == 303
    copy_code = copied.headers["location"].rsplit("/", 1)[1]
    assert (await running.client.get(f"/media/{copy_code}/{name}")).status_code == 200
    session = await running.service.sessions.get(running.code)
    await running.service.sessions.delete(session)
    rows = await image_rows(running)
    assert [row.session_id for row in rows] == [(await running.service.sessions.get(copy_code)).id]
    assert (await running.client.get(f"/media/{running.code}/{name}")).status_code == 404


async def test_the_deck_zip_download_imports_back_with_its_image(running: Any) -> None:
    url = await uploaded(running, jpeg_with_gps(size=(120, 80)))
    user = await running.service.store.ensure_user("facilitator")
    running.client.cookies.set(LOGIN_COOKIE, await running.service.access.create_login(user))
    running.client.cookies.set(CSRF_COOKIE, "csrf-value")
    download = await running.client.get(f"/e/{running.code}/deck.zip")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        names = archive.namelist()
    assert names[0] == "deck.md" and names[1] == "images/" + url.rsplit("/", 1)[1]
    imported = await running.client.post(
        "/sessions/import",
        data={"csrf_token": "csrf-value"},
        files={"deck": ("denkdag.zip", download.content, "application/zip")},
    )
    assert imported.status_code == 303, imported.text
    code = imported.headers["location"].rsplit("/", 1)[1]
    new = await running.service.sessions.get(code)
    old = await running.service.sessions.get(running.code)
    assert new.deck.info == old.deck.info and len(new.deck.slides) == len(old.deck.slides)
    image = new.deck.slides[1].extra["image"]
    assert (await running.client.get(f"/media/{code}/{image[7:]}")).status_code == 200
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("deck.md", "---\ntitle: T\n---\n# Zaal\nimage: images/weg.png\nalt: x\n")
    refused = await running.client.post(
        "/sessions/import",
        data={"csrf_token": "csrf-value"},
        files={"deck": ("dag.zip", broken.getvalue(), "application/zip")},
    )
    assert refused.status_code == 422
    assert "dag.zip:deck.md:5: afbeelding &#39;images/weg.png&#39; staat niet in de zip" in (
        refused.text
    )
