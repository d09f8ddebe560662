"""Slide images in Chromium: a facilitator picks an image in the editor, describes it and
adds it; the editor's preview, the projector and a phone show it (loaded under the CSP),
with its alt text, beside the text on the 16:9 projector."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.images import png

pytestmark = pytest.mark.browser
ALT = "Twee mensen aan een tafel vol post-its"


@pytest.fixture(scope="module")
def server(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with helpers.seed_server(tmp_path_factory, "denkdag-images") as running:
        yield running


def loaded(image: Any) -> bool:
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))


def test_an_image_added_in_the_editor_shows_on_projector_and_phone(
    helpers: ModuleType, chromium: Any, server: Any
) -> None:
    context = helpers.new_context(chromium)
    phone_context = helpers.new_context(chromium, phone=True)
    console = helpers.Console()
    try:
        page = console.watch(context.new_page())
        link = server.presenter_url.split("?", 1)[0]
        page.goto(f"{link}?next=/e/{server.code}")
        page.locator("#editor").wait_for()
        page.locator("#slide-list li .pick").nth(1).click()
        slide_id = page.locator("#slide-list li.selected").get_attribute("data-id")
        assert slide_id

        page.set_input_files(
            "#image-file",
            files=[{"name": "zaal.png", "mimeType": "image/png", "buffer": png((640, 360))}],
        )
        expect(page.locator("#image-thumb")).to_be_visible()
        expect(page.locator("#image-add")).to_be_enabled()
        page.click("#image-add")  # no alt text yet: refused in the page, nothing sent
        expect(page.locator("#image-error")).to_be_visible()
        page.fill("#image-alt", ALT)
        page.click("#image-add")
        expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
        expect(page.locator("#image-remove")).to_be_visible()
        expect(page.locator("#slide-text")).to_have_value(
            re.compile(rf"\nimage: images/[0-9a-f]{{32}}\.png\nalt: {ALT}\n")
        )
        figure = page.locator("#preview .slide-figure img")
        expect(figure).to_have_attribute("alt", ALT)
        page.wait_for_function(
            "() => { const i = document.querySelector('#preview .slide-figure img');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )

        server.control("goto", slide_id)
        projector = console.watch(context.new_page())
        projector.goto(f"{server.base}/p/{server.code}")
        picture = projector.locator("#slide .slide-figure img")
        expect(picture).to_have_attribute("alt", ALT)
        projector.wait_for_function(
            "() => { const i = document.querySelector('#slide .slide-figure img');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        box, main = picture.bounding_box(), projector.locator("#slide .slide-main").bounding_box()
        assert box and main and box["x"] > main["x"] + main["width"] / 2  # beside the text

        phone = console.watch(phone_context.new_page())
        helpers.join_by_code(phone, server)
        on_phone = phone.locator("#slide .slide-figure img")
        expect(on_phone).to_have_attribute("alt", ALT)
        expect(on_phone).to_have_attribute("loading", "lazy")
        phone.wait_for_function(
            "() => { const i = document.querySelector('#slide .slide-figure img');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        assert loaded(on_phone)
        assert console.problems == []
    finally:
        phone_context.close()
        context.close()
