"""Who is asking: participant and facilitator tokens, login cookies and CSRF checks.

API clients send `Authorization: Bearer <token>` and need no CSRF protection (a browser
never adds that header by itself). Pages sign a facilitator in with an HttpOnly cookie
holding a random token whose hash is stored (so logout is real); every state-changing
request made with that cookie must carry the CSRF token (double submit) and come from our
own origin.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from denkdag.app.access import API_TOKEN, LOGIN_TOKEN
from denkdag.app.denkdag import Denkdag
from denkdag.config import Settings
from denkdag.domain.errors import N_, NotAllowed
from denkdag.domain.model import Session, User

LOGIN_COOKIE = "dd_login"
CSRF_COOKIE = "dd_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def service(request: Request) -> Denkdag:
    svc: Denkdag = request.app.state.service
    return svc


def settings(request: Request) -> Settings:
    current: Settings = request.app.state.settings
    return current


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def participant_cookie(code: str) -> str:
    return f"dd_p_{code}"


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (made on first use, set as a cookie by `set_csrf`)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.new_csrf = token
    return str(token)


def set_csrf(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new and not request.cookies.get(CSRF_COOKIE):
        response.set_cookie(
            CSRF_COOKIE,
            new,
            httponly=True,
            samesite="strict",
            secure=settings(request).secure_cookies,
            path="/",
        )


def same_origin(request: Request) -> bool:
    """Whether an unsafe request comes from our own pages.

    Browsers send `Sec-Fetch-Site`; with our `no-referrer` policy they may send
    `Origin: null` on same-origin posts, so `Sec-Fetch-Site: same-origin` is trusted over
    a null Origin. Without either header (scripts, old browsers) the CSRF token decides.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return site is not None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse (403) a cookie-authenticated change without our token or from elsewhere."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not same_origin(request):
        raise NotAllowed(N_("This request comes from another site and was refused."))
    # Bytes: compare_digest refuses str with non-ASCII characters (a 500 otherwise).
    if not cookie or not submitted or not hmac.compare_digest(_raw(cookie), _raw(submitted)):
        raise NotAllowed(N_("The form has expired. Reload the page and try again."))


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


async def facilitator(request: Request) -> User | None:
    """The facilitator making this request, by bearer token or login cookie."""
    svc = service(request)
    token = bearer(request)
    if token is not None:
        return await svc.access.user_for_token(token, API_TOKEN, LOGIN_TOKEN)
    cookie = request.cookies.get(LOGIN_COOKIE)
    if not cookie:
        return None
    if request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return await svc.access.user_for_token(cookie, LOGIN_TOKEN)


async def facilitator_from_cookie(request: Request) -> User | None:
    """The user of this browser's login cookie (pages only; the API has its tokens)."""
    return await service(request).access.user_for_token(
        request.cookies.get(LOGIN_COOKIE), LOGIN_TOKEN
    )


async def facilitated_form(request: Request, code: str, csrf_token: str) -> tuple[User, Session]:
    """A facilitator's form post on session `code`: the CSRF check, the signed-in user and
    the session they facilitate (NotAllowed, 403, for anyone else)."""
    check_csrf(request, csrf_token)
    user = await facilitator_from_cookie(request)
    session = await service(request).access.facilitated(code, user)
    assert user is not None  # facilitated() refuses anyone not signed in
    return user, session


def to_login(request: Request) -> Response:
    """To the sign-in page, coming back here afterwards (the path quoted: it may hold
    anything a link put in it)."""
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
