"""The registry of removals: well-formed, sourced, tied to the actor registry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corrobora.analyze.registry import RegistryError, get, removals
from corrobora.analyze.series import region_level
from corrobora.cli import app

ACTORS = Path(__file__).resolve().parents[2] / "src" / "corrobora" / "data" / "actors"
runner = CliRunner()


def _actor_ids() -> set[str]:
    ids: set[str] = set()
    for path in ACTORS.glob("*.yaml"):
        ids |= {a["id"] for a in yaml.safe_load(path.read_text(encoding="utf-8"))["actors"]}
    return ids


def test_every_removal_is_dated_sourced_and_names_a_known_group() -> None:
    known = _actor_ids()
    for r in removals().values():
        assert r.sources and r.kind in ("killed", "captured", "extradited")
        assert r.group in known, r.id
        assert r.faction is None or r.faction in known, r.id
        assert region_level(r.region) == "admin1", r.id
        inegi = r.place.get("inegi")
        assert inegi is None or region_level(inegi) == "municipality", r.id


def test_known_cases() -> None:
    z = get("zambada-2024")
    assert (z.date.isoformat(), z.region, z.kind) == ("2024-07-25", "MX-SIN", "captured")
    assert z.place["iso3166_2"] == "US-NM"  # arrested in the US; analysed in Sinaloa
    assert get("arturo-beltran-leyva-2009").place["inegi"] == "17007"
    assert get("joaquin-guzman-2016").place["inegi"] == "25001"


def test_unknown_ids_suggest_near_ones() -> None:
    with pytest.raises(RegistryError, match="did you mean zambada-2024"):
        get("zambada")
    result = runner.invoke(app, ["analyze", "removal", "--series", "x.csv",
                                 "--removal", "zambada"])
    assert result.exit_code == 2 and "zambada-2024" in result.output


def test_removals_are_listed() -> None:
    result = runner.invoke(app, ["analyze", "removals", "--format", "jsonl"])
    assert result.exit_code == 0
    assert '"id": "zambada-2024"' in result.stdout
