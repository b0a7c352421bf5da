"""The console's web application: ``create_app(desk)`` assembles the pages (login, queue, ticket,
dashboard, accounts), the static files shipped in the package, and the headers every answer
carries (a strict Content-Security-Policy: scripts and styles from this origin only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from console import accounts, dashboard, login, queue_pages, ticket_pages
from console.web import STATIC, Desk, LoginNeeded

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def create_app(desk: Desk) -> FastAPI:
    app = FastAPI(title="PMI Helpline console", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.desk = desk

    @app.exception_handler(LoginNeeded)
    async def to_login(request: Request, _exc: LoginNeeded) -> Response:
        return desk.redirect(request, "/login")

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            # Pages hold personal data: no browser or proxy keeps a copy.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (login, queue_pages, ticket_pages, dashboard, accounts):
        app.include_router(module.router(desk))
    return app
