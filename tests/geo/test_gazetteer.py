"""The packaged gazetteer: coverage of Mexico, ISO codes, cache and start-up time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from corrobora.geo import gazetteer as gzm
from corrobora.geo.normalize import norm
from corrobora.geo.resolver import Resolver


def test_cache_file_is_versioned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CORROBORA_CACHE", str(tmp_path))
    assert gzm.default_path() == tmp_path / f"gazetteer-{gzm.version()}.npz"


def test_load_is_fast(resolver: Resolver) -> None:
    path = gzm.default_path()
    assert path.exists()
    gzm.load.cache_clear()
    t = time.perf_counter()
    gz = gzm.load(path)
    assert time.perf_counter() - t < 3.0
    assert gz.version == gzm.version()


def test_mexico_is_complete(resolver: Resolver) -> None:
    gz = resolver.gz
    states = {gz.admin1_code[i] for i in range(len(gz))
              if gz.kind[i] == gzm.KIND_ADM1 and gz.country_code[i] == "MX"}
    assert len(states) == 32 and "MX-JAL" in states and "MX-CMX" in states
    munis = {gz.inegi_code[i] for i in range(len(gz)) if gz.kind[i] == gzm.KIND_ADM2
             and gz.country_code[i] == "MX" and gz.inegi_code[i]}
    assert len(munis) > 2300  # of INEGI's 2,457


def test_features_have_coordinates(resolver: Resolver) -> None:
    gz = resolver.gz
    for key, fc in (("jalisco", "ADM1"), ("united states", "PCLI"), ("tapalpa", "PPL")):
        feats = [f for f, _ in gz.lookup(norm(key)) if gz.feature_code[f] == fc]
        assert feats, key
        f = feats[0]
        assert -90 <= gz.lat[f] <= 90 and -180 <= gz.lon[f] <= 180
    # Country points follow GeoNames' convention (a centre, not the capital): the US point
    # lies in Kansas, not in Washington.
    us = gz.country_feature["US"]
    assert 37 < gz.lat[us] < 41 and -101 < gz.lon[us] < -96


def test_normalisation() -> None:
    assert norm("Michoacán de Ocampo") == "michoacan de ocampo"
    assert norm("U.S.") == "us"
    assert norm("  San Luis Potosí ") == "san luis potosi"
