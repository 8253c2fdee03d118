"""The store: schema, migrations and every SQL statement Corrobora runs."""

from corrobora.store.duckdb_store import Batch, EventFilter, Store, StoreError

__all__ = ["Batch", "EventFilter", "Store", "StoreError"]
