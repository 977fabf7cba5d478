"""The phone page as a Starlette application: pages, the JSON poll, the 好差评 form.

Routes (``<token>`` is the slip's token, never a bare ticket number)::

    GET  /                   a line saying to scan the slip
    GET  /p/<token>          the ticket's page (works without JavaScript)
    GET  /p/<token>/live     the page's changing part as JSON ({"html", "state", "live", "rating_open"}),
                             polled by static/app.js every POLL_S seconds while the page is visible
    POST /p/<token>/rate     the rating form (CSRF token, level 1-5, a 差评 reason): 303 back to the page
    GET  /static/…           the stylesheet and the script
    GET  /healthz            for ``hallq doctor`` and the proxy: 200 {"ok": true, "broker": true}, or 503 while
                             the web device is not connected to the broker (nothing about any ticket)

Every answer says ``no-store`` and ``no-referrer`` (the URL is the secret), and a Content
Security Policy that allows only this site's own script and styles. A token that is malformed,
altered or unknown gets the same 404 page; a client over its limits gets 429 (web/guard.py).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from hallq import clock as hallclock
from hallq import messages as m
from hallq.protocol import person_message
from web import guard, pages
from web.gateway import Gateway, HubUnavailable, Refused
from web.texts import t

log = logging.getLogger("hallq.web")
HERE = Path(__file__).resolve().parent
POLL_S = 10
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


class PhonePage:
    def __init__(self, gateway: Gateway, *, secret: bytes | None = None, limits: guard.Limits | None = None,
                 clock: Callable[[], float] = hallclock.now) -> None:
        self.gateway = gateway
        self.secret = secret or secrets.token_bytes(32)
        self.limits = limits or guard.Limits.default()
        self.clock = clock
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))

    # ------------------------------------------------------------ answers

    def html(self, name: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = self.env.get_template(name).render(lang=lang, t=lambda zh, **v: t(zh, lang, **v), poll_s=POLL_S,
                                                  **context)
        return HTMLResponse(body, status, headers=HEADERS)

    def problem(self, lang: str, status: int, title: str, text: str = "") -> HTMLResponse:
        return self.html("message.html", lang, status, title=t(title, lang), text=t(text, lang) if text else "")

    def not_found(self, lang: str) -> HTMLResponse:
        return self.problem(lang, 404, "未找到该号", "请核对小票上的二维码，或到大厅引导台咨询。")

    def _client(self, request: Request) -> str:
        return request.client.host if request.client else "?"

    async def _lookup(self, request: Request, token: str) -> tuple[m.ProgressView | None, Response | None]:
        """(view or None, or an error response): the limits, the token's shape, then the hub."""
        lang, who = _lang(request), self._client(request)
        if not self.limits.requests.allow(who) or not self.limits.misses.peek(who):
            return None, self.problem(lang, 429, "操作过于频繁，请稍候再试")
        if not guard.TOKEN.fullmatch(token):
            self.limits.misses.allow(who)
            return None, self.not_found(lang)
        try:
            view = await run_in_threadpool(self.gateway.progress, token)
        except HubUnavailable as exc:
            log.warning("phone page: the hub did not answer (%s)", exc, extra={"code": "hub_unavailable"})
            return None, self.problem(lang, 503, "大厅服务器暂时没有答复，请稍后刷新")
        if view is None:
            self.limits.misses.allow(who)
            return None, self.not_found(lang)
        return view, None

    # ------------------------------------------------------------ routes

    async def healthz(self, request: Request) -> Response:
        connected: Any = getattr(getattr(self.gateway, "client", None), "connected", None)
        up = bool(connected.is_set()) if hasattr(connected, "is_set") else True  # no such flag: unknown, say up
        return JSONResponse({"ok": up, "broker": up}, 200 if up else 503, headers=HEADERS)

    async def index(self, request: Request) -> Response:
        return self.problem(_lang(request), 200, "扫码查询办理进度", "请扫描小票上的二维码查看办理进度。")

    async def progress(self, request: Request) -> Response:
        token, lang = request.path_params["token"], _lang(request)
        view, error = await self._lookup(request, token)
        if error is not None or view is None:
            return error or self.not_found(lang)
        return self._page(token, lang, view)

    def _page(self, token: str, lang: str, view: m.ProgressView, status: int = 200, message: str = "") -> HTMLResponse:
        now = self.clock()
        return self.html("progress.html", lang, status, token=token, qtoken=quote(token, safe=""),
                         csrf=guard.csrf_token(self.secret, token, now), message=message,
                         **pages.page(view, lang, now))

    async def live(self, request: Request) -> Response:
        token, lang = request.path_params["token"], _lang(request)
        view, error = await self._lookup(request, token)
        if error is not None or view is None:
            status = error.status_code if error is not None else 404
            return JSONResponse({"error": status}, status, headers=HEADERS)
        data = pages.page(view, lang, self.clock())
        fragment = self.env.get_template("live.html").render(lang=lang, t=lambda zh, **v: t(zh, lang, **v), **data)
        return JSONResponse({"html": fragment, "state": view.state, "live": data["live"],
                             "rating_open": bool(view.rating and view.rating.open)}, headers=HEADERS)

    async def rate(self, request: Request) -> Response:
        token, lang = request.path_params["token"], _lang(request)
        if not guard.same_site(request.headers.get("origin"), request.headers.get("sec-fetch-site"),
                               request.headers.get("host")):
            return self.problem(lang, 403, "页面已过期，请刷新后再提交")
        form, why = await _form(request)
        if form is None:
            return self.problem(lang, 413 if why == "too_large" else 400,
                                "请求内容过长，未被接受" if why == "too_large" else "请求内容不正确，未被接受")
        lang = "en" if form.get("lang") == "en" else lang
        if not guard.csrf_ok(self.secret, token, form.get("csrf", ""), self.clock()):
            return self.problem(lang, 403, "页面已过期，请刷新后再提交")
        view, error = await self._lookup(request, token)
        if error is not None or view is None:
            return error or self.not_found(lang)
        level_text, reason = form.get("level", ""), form.get("reason", "")
        if level_text not in ("1", "2", "3", "4", "5"):
            return self._page(token, lang, view, 400, t("请选择评价等级", lang))
        if len(reason) > 40:
            return self._page(token, lang, view, 400, t("差评需要从列表中选择原因", lang))
        level = int(level_text)
        try:
            await run_in_threadpool(self.gateway.rate, token, level, reason if level <= 2 else "")
        except HubUnavailable:
            return self.problem(lang, 503, "大厅服务器暂时没有答复，请稍后刷新")
        except Refused as exc:
            why = t(person_message(exc.code, exc.message), lang)
            fresh, _ = await self._lookup(request, token)
            status = 409 if exc.code in ("already_rated", "rating_closed") else 400
            return self._page(token, lang, fresh or view, status, t("提交未成功：{why}", lang, why=why))
        suffix = "?lang=en" if lang == "en" else ""
        return RedirectResponse(f"/p/{quote(token, safe='')}{suffix}", 303, headers=HEADERS)


async def _form(request: Request) -> tuple[dict[str, str] | None, str]:
    """The urlencoded body, each field once, read to at most MAX_FORM_BYTES: (fields, "") or (None, why)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return None, "bad_form"
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > guard.MAX_FORM_BYTES):
        return None, "too_large"
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > guard.MAX_FORM_BYTES:
            return None, "too_large"
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body), max_num_fields=8)
    except (UnicodeDecodeError, ValueError):
        return None, "bad_form"
    if any(len(v) != 1 for v in fields.values()) or set(fields) - {"csrf", "level", "reason", "lang"}:
        return None, "bad_form"
    return {k: v[0] for k, v in fields.items()}, ""


def create_app(gateway: Gateway, *, secret: bytes | None = None, limits: guard.Limits | None = None,
               clock: Callable[[], float] = hallclock.now) -> Starlette:
    page = PhonePage(gateway, secret=secret, limits=limits, clock=clock)
    token = "/p/{token:str}"
    app = Starlette(routes=[
        Route("/", page.index),
        Route("/healthz", page.healthz),
        Route(token, page.progress),
        Route(token + "/live", page.live),
        Route(token + "/rate", page.rate, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ])
    app.state.page = page

    async def nothing_here(request: Request, exc: Exception) -> Response:  # no route: the same plain 404
        return page.not_found(_lang(request))

    app.add_exception_handler(404, nothing_here)
    app.add_exception_handler(405, nothing_here)
    return app
