"""FollowTheMoney entities: every line is a valid entity of the followthemoney model (its
schema known, every property one the schema has, every value of the property's type), the
references resolve, and reading the entities back gives each event with the articles that
report it."""

from __future__ import annotations

import json
from pathlib import Path

from followthemoney import model

from corrobora.store import Store

from .export_store import exported_events


def test_ftm_entities_are_valid_and_read_back_to_the_events(tmp_path: Path) -> None:
    db, out = exported_events(tmp_path, "ftm", "ftm.jsonl")
    proxies = {}
    for line in out.read_text("utf-8").splitlines():
        data = json.loads(line)
        schema = model.get(data["schema"])
        assert schema is not None, data["schema"]
        for prop, values in data["properties"].items():
            p = schema.get(prop)
            assert p is not None, (data["schema"], prop)
            for v in values:
                assert p.type.clean(v, proxy=None) is not None, (data["schema"], prop, v)
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.id not in proxies  # each entity once
        proxies[proxy.id] = proxy
    schemata = {p.schema.name for p in proxies.values()}
    assert {"Event", "Article", "Documentation", "Mention", "Organization"} <= schemata
    for p in proxies.values():  # every entity reference resolves
        for prop, value in p.itervalues():
            if prop.type.name == "entity":
                assert value in proxies, (p.schema.name, prop.name, value)

    # Read back: each event with the documents that report it.
    with Store(db, read_only=True) as store:
        expected = {e["id"]: {r["document_id"] for r in e["reports"]}
                    for e in store.export_events()}
    events = {p.id: p.first("recordId") for p in proxies.values() if p.schema.name == "Event"}
    told: dict[str, set[str]] = {}
    for p in proxies.values():
        if p.schema.name == "Documentation":
            article = proxies[p.first("document")]
            told.setdefault(events[p.first("entity")], set()).add(article.first("keywords"))
    assert told == expected
