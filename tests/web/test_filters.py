"""The API's event filters are the CLI's (store/filters.py): accent- and case-insensitive
names, registry aliases and ids; a value that matches nothing, or more than one place, is a
400 with the line the CLI prints, not an empty list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.web import create_app

from ..analyze.store_builder import build
from ..test_cli import FILTER_ACTORS, FILTER_EVENTS, FILTER_PLACES

# Every route that takes the event filters.
FILTERED = ["/api/events", "/api/events/counts", "/api/geo/events", "/api/geo/regions",
            "/api/actors/graph"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("web-filters") / "f.duckdb", FILTER_EVENTS,
                 places=FILTER_PLACES, actors=FILTER_ACTORS)


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as c:
        yield c


def _ids(client: TestClient, **params: str) -> list[str]:
    response = client.get("/api/events", params={**params, "limit": 500})
    assert response.status_code == 200, response.text
    return sorted(e["id"] for e in response.json()["items"])


def _cli_error(db: Path, option: str, value: str) -> str:
    result = CliRunner().invoke(app, ["events", "--db", str(db), option, value])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    return line.removeprefix("error: ")


@pytest.mark.parametrize("value", ["culiacan", "CULIACÁN", "Culiacan, Sinaloa", "25006"])
def test_place_filter_ignores_case_and_accents_as_the_cli_does(client: TestClient,
                                                               value: str) -> None:
    assert _ids(client, place=value) == ["evt-0", "evt-1"]


@pytest.mark.parametrize(("value", "expected"), [
    ("zetas", ["evt-2", "evt-3"]), ("los-zetas", ["evt-2", "evt-3"]),
    ("cartel de sinaloa", ["evt-0", "evt-1"]), ("sinaloa-cartel", ["evt-0", "evt-1"])])
def test_actor_filter_matches_registry_name_alias_or_id(client: TestClient, value: str,
                                                        expected: list[str]) -> None:
    assert _ids(client, actor=value) == expected


def test_type_filter_takes_any_spelling_of_a_type(client: TestClient) -> None:
    assert _ids(client, type="criminal-clash") == ["evt-1", "evt-4"]


@pytest.mark.parametrize(("param", "option", "value", "words"), [
    ("place", "--place", "Juárez", "ambiguous"),
    ("place", "--place", "Culicán", "no place matches 'Culicán'; did you mean"),
    ("actor", "--actor", "Zetaz", "no actor matches 'Zetaz'; did you mean"),
    ("type", "--type", "clash", "no event type 'clash'; did you mean")])
def test_a_filter_matching_nothing_or_ambiguous_is_a_400_with_the_cli_message(
        client: TestClient, db: Path, param: str, option: str, value: str,
        words: str) -> None:
    message = _cli_error(db, option, value)
    assert words in message
    for path in FILTERED:
        response = client.get(path, params={param: value})
        assert response.status_code == 400, (path, response.text)
        assert response.json() == {"detail": message}, path


def test_ambiguous_place_names_values_that_pick_one(client: TestClient) -> None:
    detail = client.get("/api/events", params={"place": "Juárez"}).json()["detail"]
    assert '"Juárez, MX-CHH"' in detail and '"Juárez, MX-NLE"' in detail
    assert _ids(client, place="Juárez, MX-NLE") == ["evt-3"]
