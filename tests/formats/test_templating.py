"""One Jinja setup for pages and report documents: the same templates, filters and
catalogues, so a report reads the same on screen, in the PDF and from the CLI."""

from __future__ import annotations

from jinja2 import FileSystemLoader

from denkdag.formats import report_html, templating
from denkdag.web import i18n
from denkdag.web.templating import templates


def test_pages_and_reports_share_templates_filters_and_catalogues() -> None:
    page_env = templates.env
    report_env = report_html.environment("fr")
    for env in (page_env, report_env):
        assert isinstance(env.loader, FileSystemLoader)
        assert env.loader.searchpath == [str(templating.TEMPLATES)]
        assert {"body", "inline", "code"} <= set(env.filters)
        assert env.globals["kind_of"] is templating.environment().globals["kind_of"]
    assert i18n.translations is templating.translations
    assert templating.translations("fr").gettext("Join") == "Participer"
    assert page_env.filters["body"]("**vet**") == report_env.filters["body"]("**vet**")
