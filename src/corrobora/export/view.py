"""The store as one reader sees it, for exports: the view the web API answers from.

Every export (each format, the documents and actors, a release) reads a store handle; for a
reader it is a cursor restricted by store/access.py's `restrict`, so the events, their
derived figures (independent sources, fatalities range, grade, recomputed from the visible
reports), the reports, documents, sources, actors and places are exactly those the API
shows that reader. No export applies visibility rules of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corrobora.store import Store
    from corrobora.store.access import Principal


@contextmanager
def seen_by(store: Store, user: str | None = None, *,
            principal: Principal | None = None) -> Iterator[Store]:
    """`store` as `user` (or `principal`) may see it; the store itself for neither (the
    local analyst, who sees everything). Raises access.AccessError for an unknown or
    disabled user. The restricted handle is a cursor of its own, closed at the end: the
    caller's handle stays unrestricted (and writable)."""
    from corrobora.store import access

    if principal is None:
        principal = access.principal_for_user(store, user)
    if principal.local:
        yield store
        return
    reader = store.reader()
    try:
        access.restrict(reader, principal)
        yield reader
    finally:
        reader.con.close()
