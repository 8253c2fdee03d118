"""`corrobora serve`: the HTTP API (JSON, GeoJSON, CSV) and the analyst's dashboard.

`app` builds the FastAPI application, `deps` opens the store and parses filters and
cursors, `serialize` turns store rows into API records and CSV, `security` sets the
headers every response carries, `routes/` holds one module per resource, and `static/`
the dashboard (plain ES modules and vendored libraries: see VENDORED.md).
"""

from corrobora.web.app import create_app

__all__ = ["create_app"]
