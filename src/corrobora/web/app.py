"""The application: the API under /api, the dashboard's pages, offline OpenAPI docs."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from corrobora.store import Store, StoreError
from corrobora.store.postgres import is_url
from corrobora.web import auth
from corrobora.web.routes import (
    actors,
    analyses,
    documents,
    events,
    geo,
    intake,
    meta,
    reports,
    sources,
    team,
)
from corrobora.web.routes import review as review_routes
from corrobora.web.security import HostGuard, HostPolicy, SecurityHeaders, WriteGuard

STATIC = Path(__file__).parent / "static"
PAGES = {"/": "index.html", "/event": "event.html", "/document": "document.html",
         "/sources": "sources.html", "/actors": "actors.html", "/analyses": "analyses.html",
         "/review": "review.html", "/report": "report.html", "/docs": "docs.html"}


def create_app(db: str | Path, *, review: bool = False, reviewer: str | None = None,
               token: str | None = None, port: int | None = None, host: str | None = None,
               allowed_hosts: Iterable[str] = ()) -> FastAPI:
    """The application over the store at `db`, opened once (raises StoreError now, not at
    the first request, when it is missing or not a store): read-only, or for writing when
    `review` is true, so that analysts can record decisions from the review page.

    Requests are answered for loopback names on `port` (any port when None), `host` unless
    it is a wildcard, and `allowed_hosts` (NAME or NAME:PORT); ValueError names a bad one.
    With `review`, every write needs `token` (one is made when none is given: read it back
    from `app.state.token`); decisions are recorded as made by `reviewer`."""
    policy = HostPolicy.build(port=port, host=host, extra=allowed_hosts)
    if review and not token:
        token = secrets.token_urlsafe(24)
    if review and not is_url(db) and not Path(db).exists():
        raise StoreError(f"{db}: no such store (run `corrobora ingest` first)")
    store = Store(db, read_only=not review)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="Corrobora",
        summary="Graded events from public reporting on organized crime and political "
        "violence, traceable to their sentences.",
        version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.store = store
    app.state.writable = review
    app.state.reviewer = reviewer or "web"
    app.state.token = token if review else None
    app.state.hosts = policy
    # Last added runs first: headers on every answer, then Host, then who is asking
    # (web/auth.py), then the write checks.
    app.add_middleware(WriteGuard, policy=policy, token=app.state.token)
    app.add_middleware(auth.AuthGuard, store=store)
    app.add_middleware(HostGuard, policy=policy)
    app.add_middleware(SecurityHeaders)
    for module in (events, geo, documents, actors, sources, intake, analyses, meta, reports,
                   team):
        app.include_router(module.router)
    app.include_router(review_routes.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for path, filename in PAGES.items():
        _page(app, path, STATIC / filename)

    @app.get("/login", include_in_schema=False)
    async def login_page(request: Request) -> Response:
        if not request.state.team:
            return Response(status_code=303, headers={"Location": "/"})
        return auth.login_form(request.query_params.get("next"))

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        return auth.login(await request.body(), store)

    @app.post("/logout", include_in_schema=False)
    async def logout() -> Response:
        return auth.logout()

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    return app


def _page(app: FastAPI, path: str, file: Path) -> None:
    async def page() -> FileResponse:
        return FileResponse(file, media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    app.add_api_route(path, page, methods=["GET", "HEAD"], include_in_schema=False,
                      name=f"page:{file.stem}")

