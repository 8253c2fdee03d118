"""The application: the API under /api, the dashboard's pages, offline OpenAPI docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from corrobora.store import Store, StoreError
from corrobora.web.routes import actors, analyses, documents, events, geo, meta, sources
from corrobora.web.routes import review as review_routes
from corrobora.web.security import SecurityHeaders

STATIC = Path(__file__).parent / "static"
PAGES = {"/": "index.html", "/event": "event.html", "/document": "document.html",
         "/sources": "sources.html", "/actors": "actors.html", "/analyses": "analyses.html",
         "/review": "review.html", "/docs": "docs.html"}


def create_app(db: str | Path, *, review: bool = False, reviewer: str | None = None
               ) -> FastAPI:
    """The application over the store at `db`, opened once (raises StoreError now, not at
    the first request, when it is missing or not a store): read-only, or for writing when
    `review` is true, so that analysts can record decisions from the review page."""
    if review and not Path(db).exists():
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
    app.add_middleware(SecurityHeaders)
    for module in (events, geo, documents, actors, sources, analyses, meta):
        app.include_router(module.router)
    app.include_router(review_routes.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for path, filename in PAGES.items():
        _page(app, path, STATIC / filename)

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

