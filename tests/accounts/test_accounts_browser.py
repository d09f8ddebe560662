"""In Chromium: an administrator (made by the CLI) invites a facilitator, who signs up from
the link, finds the account page, and is refused another's session; the account pages
render in every language without console errors, CSP violations or sideways scrolling."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser
DENKDAG = [sys.executable, "-m", "denkdag"]
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(scope="module")
def site(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    helpers.chromium_or_skip()
    server = helpers.start_server(tmp_path_factory.mktemp("denkdag-accounts"))
    try:
        subprocess.run(
            [
                *DENKDAG,
                "user",
                "add",
                "ada",
                "--role",
                "administrator",
                "--database",
                server.database,
            ],
            env={**os.environ, "DENKDAG_PASSWORD": "admin password 1"},
            capture_output=True,
            timeout=60,
            check=True,
        )
        yield server
    finally:
        helpers.stop_server(server)


def _settled(page: Any, lang: str) -> None:
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == lang, page.url
    assert page.evaluate(NO_OVERFLOW), f"{page.url} overflows sideways"


def test_invite_sign_up_and_account_pages(helpers: ModuleType, site: Any, chromium: Any) -> None:
    from playwright.sync_api import expect

    console = helpers.Console()
    admin_context = helpers.new_context(chromium)
    invitee_context = helpers.new_context(chromium, phone=True)
    try:
        admin = console.watch(admin_context.new_page())
        admin.goto(f"{site.base}/login?lang=en")
        admin.fill("#username", "ada")
        admin.fill("#password", "admin password 1")
        admin.locator("form[action='/login'] button[type=submit]").click()
        admin.wait_for_url(re.compile(r"/sessions$"))
        admin.goto(f"{site.base}/admin/users")
        admin.select_option("#invite-role", "facilitator")
        admin.locator("form[action='/admin/invitations'] button[type=submit]").click()
        link = admin.locator(".admin-link-url").input_value()
        assert re.search(r"/invite/[A-Za-z0-9_-]{40,}$", link), link
        # The link names the configured public address; stay on the one this test uses.
        link = site.base + urlsplit(link).path

        invitee = console.watch(invitee_context.new_page())
        invitee.goto(link)
        invitee.fill("#username", "fien")
        invitee.fill("#password", "fien's password")
        invitee.fill("#repeated", "fien's password")
        invitee.locator("form button[type=submit].primary").click()
        invitee.wait_for_url(re.compile(r"/sessions$"))
        expect(invitee.locator("main")).to_contain_text("fien")
        # fien facilitates nothing yet: the demo's session is refused, and shows nothing.
        # (On a page the console does not watch: its 403 is logged as a failed load.)
        probe = invitee_context.new_page()
        refused = probe.goto(f"{site.base}/c/{site.code}")
        assert refused is not None and refused.status == 403
        assert "Werksessie" not in probe.content()

        for lang in ["nl", "en", "fr"]:
            for page, path in [
                (admin, "/admin/users"),
                (admin, "/account"),
                (invitee, "/account"),
                (invitee, "/sessions"),
            ]:
                response = page.goto(f"{site.base}{path}?lang={lang}")
                assert response is not None and response.ok, (path, lang)
                _settled(page, lang)
        used = invitee_context.new_page().goto(link)
        assert used is not None and used.status == 404
    finally:
        admin_context.close()
        invitee_context.close()
    assert console.problems == [], console.problems
