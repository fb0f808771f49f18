"""Bilingual HTML pages and sign-in shared by the trace registry's and the observatory's sites.

Both sites render jinja2 templates in English or Spanish (gettext catalogues of their own),
prefix links with the path they are mounted at, and sign users in with the registry's accounts:
:class:`Pages` holds what differs (templates, catalogue, labels); :func:`add_login` adds the
same sign-in routes to either application.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from oclab.traces.api import COOKIE
from oclab.traces.store import AuthError


def mount_root(request: Request) -> str:
    """The path the application is mounted at ("" when served on its own)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


class Pages:
    """Templates of one site in its languages, with its field labels translated."""

    def __init__(
        self,
        templates: Path,
        translations: Callable[[str], Any],
        languages: Sequence[str],
        labels: Mapping[str, str],
    ) -> None:
        self.templates, self.translations = templates, translations
        self.languages, self.labels = tuple(languages), dict(labels)
        self.environment = cache(self._environment)

    def _environment(self, lang: str) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            autoescape=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(self.translations(lang), newstyle=True)  # type: ignore[attr-defined]
        return env

    def language(self, lang: str) -> str:
        """``lang`` if the site has it, else a 404."""
        if lang not in self.languages:
            raise HTTPException(404, "unknown language")
        return lang

    def render(
        self, request: Request, lang: str, name: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """Render template ``name`` in ``lang``; links start at the mount point (``root``)."""
        gettext = self.translations(lang).gettext
        page = (
            self.environment(lang)
            .get_template(name)
            .render(
                lang=lang,
                root=mount_root(request),
                labels={k: gettext(v) for k, v in self.labels.items()},
                **context,
            )
        )
        return HTMLResponse(page, status_code=status)


def add_login(app: FastAPI, pages: Pages, issue_token: Callable[[str, str], str]) -> None:
    """``GET``/``POST /{lang}/login``: a sign-in form; success sets the session cookie."""

    @app.get("/{lang}/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, lang: str) -> Response:
        return pages.render(request, pages.language(lang), "login.html.j2", who=None, error=False)

    @app.post("/{lang}/login", include_in_schema=False)
    def login(
        request: Request, lang: str, username: str = Form(""), password: str = Form("")
    ) -> Response:
        lang = pages.language(lang)
        try:
            token = issue_token(username, password)
        except AuthError:
            return pages.render(request, lang, "login.html.j2", 401, who=None, error=True)
        root = mount_root(request)
        response = RedirectResponse(f"{root}/{lang}/", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path=root or "/")
        return response
