"""Account pages: /account, /admin/users, /invite/{token}, /reset/{token}, and
the owner's co-facilitator invitations on the dashboard.

Every form posts its CSRF token (`check_csrf`); sign-up and reset links carry a one-time
token in the path, so these pages are sent with no caching and no referrer (middleware).
A refused form is shown again with the reason and without the typed passwords.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from denkdag.app.access import LOGIN_LIFETIME
from denkdag.app.accounts import (
    ADMINISTRATOR,
    ROLES,
    AccountRefused,
    Accounts,
    require_administrator,
)
from denkdag.domain.errors import N_, NotAllowed
from denkdag.domain.model import User
from denkdag.web import i18n
from denkdag.web.auth import (
    LOGIN_COOKIE,
    check_csrf,
    facilitated_form,
    facilitator_from_cookie,
    service,
    settings,
    to_login,
)
from denkdag.web.schemas import RowId
from denkdag.web.templating import render

router = APIRouter(include_in_schema=False)
# Annotated, not shared `Form(...)` defaults: FastAPI binds a shared FieldInfo to one name.
Csrf = Annotated[str, Form()]
Password = Annotated[str, Form(max_length=400)]


def accounts(request: Request) -> Accounts:
    return service(request).accounts


def _with_login(request: Request, user: User, token: str, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings(request).secure_cookies,
        max_age=int(LOGIN_LIFETIME.total_seconds()),
    )
    return response


def _link(request: Request, path: str) -> str:
    return f"{settings(request).base_url()}{path}"


# one's own account ----------------------------------------------------------------------


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request) -> Response:
    user = await facilitator_from_cookie(request)
    if user is None:
        return to_login(request)
    return render(request, "account.html", {"user": user})


@router.post("/account/password")
async def change_password(
    request: Request,
    current: Password = "",
    password: Password = "",
    repeated: Password = "",
    csrf_token: Csrf = "",
) -> Response:
    check_csrf(request, csrf_token)
    user = await facilitator_from_cookie(request)
    if user is None:
        raise NotAllowed(N_("Sign in first."))
    try:
        await accounts(request).change_password(user, current, password, repeated)
    except AccountRefused as refused:
        context = {"user": user, "error": i18n.gettext(refused.message)}
        return render(request, "account.html", context, status_code=422)
    # Every sign-in ended with the old password, this one too: start a fresh one.
    token = await service(request).access.create_login(user)
    return _with_login(request, user, token, "/account?changed=1")


# administrators -------------------------------------------------------------------------


async def _admin_page(
    request: Request, admin: User, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    users = await accounts(request).users(admin)
    context = {"user": admin, "users": users, "roles": ROLES, **(extra or {})}
    return render(request, "admin_users.html", context, status_code=status_code)


async def _admin(request: Request) -> User | None:
    user = await facilitator_from_cookie(request)
    if user is not None and user.role != ADMINISTRATOR:
        raise NotAllowed(N_("Only an administrator manages accounts."))
    return user


@router.get("/admin/users", response_class=HTMLResponse)
async def admin_users(request: Request) -> Response:
    admin = await _admin(request)
    if admin is None:
        return to_login(request)
    return await _admin_page(request, admin)


@router.post("/admin/invitations", response_class=HTMLResponse)
async def admin_invite(request: Request, role: str = Form(""), csrf_token: Csrf = "") -> Response:
    check_csrf(request, csrf_token)
    admin = require_administrator(await facilitator_from_cookie(request))
    token = await accounts(request).invite(admin, role)
    link = {"url": _link(request, f"/invite/{token}"), "role": role}
    return await _admin_page(request, admin, {"invitation": link})


@router.post("/admin/users/{user_id}/reset", response_class=HTMLResponse)
async def admin_reset(request: Request, user_id: RowId, csrf_token: Csrf = "") -> Response:
    check_csrf(request, csrf_token)
    admin = require_administrator(await facilitator_from_cookie(request))
    token = await accounts(request).reset_link(admin, user_id)
    target = await accounts(request).user(user_id)
    link = {"url": _link(request, f"/reset/{token}"), "user": target.username if target else ""}
    return await _admin_page(request, admin, {"reset": link})


@router.post("/admin/users/{user_id}/role")
async def admin_role(
    request: Request, user_id: RowId, role: str = Form(""), csrf_token: Csrf = ""
) -> Response:
    check_csrf(request, csrf_token)
    await accounts(request).set_role(await facilitator_from_cookie(request), user_id, role)
    return RedirectResponse("/admin/users", status_code=303)


# the first run ----------------------------------------------------------------------------

FORWARDED = ("forwarded", "x-forwarded-for", "x-real-ip")
"""Headers a reverse proxy adds: a request carrying one came from elsewhere, even when the
proxy itself connects over the loopback."""


def from_this_machine(request: Request) -> bool:
    """The request comes from the server itself (loopback), not through a proxy."""
    host = request.client.host if request.client else ""
    local = host in {"127.0.0.1", "::1", "localhost"}
    return local and not any(name in request.headers for name in FORWARDED)


async def _first_run_refusal(request: Request) -> Response | None:
    """Why /setup is closed to this request, as a page; None while it is open (no
    administrator yet, and the request comes from the server itself)."""
    if not await accounts(request).needs_first_administrator():
        return RedirectResponse("/login", status_code=303)
    if not from_this_machine(request):
        context = {"next": "/sessions", "failed": False, "first_run": True, "remote": True}
        return render(request, "login.html", context, status_code=403)
    return None


@router.get("/setup", response_class=HTMLResponse)
async def first_run(request: Request) -> Response:
    """The first run in the browser: on the server itself, while no administrator exists,
    a button that makes a one-time link to create one (elsewhere `denkdag user
    setup-link` prints it). Only the POST makes the link: a GET changes nothing."""
    refused = await _first_run_refusal(request)
    if refused is not None:
        return refused
    return render(request, "setup.html", {})


@router.post("/setup")
async def first_run_link(request: Request, csrf_token: Csrf = "") -> Response:
    """Make the first administrator's one-time sign-up link and go there."""
    check_csrf(request, csrf_token)
    refused = await _first_run_refusal(request)
    if refused is not None:
        return refused
    token = await accounts(request).first_administrator_link()
    if token is None:  # an administrator signed up meanwhile
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(f"/invite/{token}", status_code=303)


# sign-up and reset links ------------------------------------------------------------------


@router.get("/invite/{token}", response_class=HTMLResponse)
async def invitation_page(request: Request, token: str) -> Response:
    role = await accounts(request).invitation_role(token)
    return render(
        request,
        "invite.html",
        {"role": role, "token": token, "username": ""},
        status_code=200 if role else 404,
    )


@router.post("/invite/{token}")
async def sign_up(
    request: Request,
    token: str,
    username: str = Form("", max_length=200),
    password: Password = "",
    repeated: Password = "",
    csrf_token: Csrf = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        user = await accounts(request).sign_up(token, username, password, repeated)
    except AccountRefused as refused:
        role = await accounts(request).invitation_role(token)
        context = {
            "role": role,
            "token": token,
            "username": username,
            "error": i18n.gettext(refused.message),
        }
        return render(request, "invite.html", context, status_code=422 if role else 404)
    return _with_login(request, user, await service(request).access.create_login(user), "/sessions")


@router.get("/reset/{token}", response_class=HTMLResponse)
async def reset_page(request: Request, token: str) -> Response:
    user = await accounts(request).reset_user(token)
    context = {"reset_user": user, "token": token}
    return render(request, "account_reset.html", context, status_code=200 if user else 404)


@router.post("/reset/{token}")
async def reset_password(
    request: Request,
    token: str,
    password: Password = "",
    repeated: Password = "",
    csrf_token: Csrf = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        user = await accounts(request).reset_password(token, password, repeated)
    except AccountRefused as refused:
        context = {
            "reset_user": await accounts(request).reset_user(token),
            "token": token,
            "error": i18n.gettext(refused.message),
        }
        return render(request, "account_reset.html", context, status_code=422)
    return _with_login(request, user, await service(request).access.create_login(user), "/sessions")


# co-facilitators ----------------------------------------------------------------------------


@router.post("/sessions/{code}/facilitators")
async def add_cofacilitator(
    request: Request, code: str, username: str = Form("", max_length=200), csrf_token: Csrf = ""
) -> Response:
    user, session = await facilitated_form(request, code, csrf_token)
    try:
        await accounts(request).add_cofacilitator(user, session, username)
    except AccountRefused as refused:
        svc = service(request)
        owned = await svc.sessions.of_user(user) if user else []
        context = {
            "user": user,
            "sessions": owned,
            "joined": {s.id: await svc.results.joined(s) for s in owned},
            "cofacilitators": await accounts(request).cofacilitators(owned),
            "cofacilitator_error": (session.code, i18n.gettext(refused.message)),
        }
        return render(request, "dashboard.html", context, status_code=422)
    return RedirectResponse("/sessions", status_code=303)


@router.post("/sessions/{code}/facilitators/{user_id}/remove")
async def remove_cofacilitator(
    request: Request, code: str, user_id: RowId, csrf_token: Csrf = ""
) -> Response:
    user, session = await facilitated_form(request, code, csrf_token)
    await accounts(request).remove_cofacilitator(user, session, user_id)
    return RedirectResponse("/sessions", status_code=303)
