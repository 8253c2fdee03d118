"""A toponym in a text, resolved (or not) to one gazetteer feature."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(slots=True)
class Place:
    start: int
    end: int
    text: str
    geonameid: int | None = None
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    country_code: str | None = None
    admin1_code: str | None = None
    """ISO 3166-2 where known (MX-JAL, US-LA), else GeoNames' own code (CA.08)."""
    admin2_name: str | None = None
    inegi_code: str | None = None
    """5-digit INEGI municipality code, for Mexican places."""
    feature_code: str | None = None
    population: int | None = None
    geo_precision: int | None = None
    """ACLED: 1 town, 2 near a town or part of a region, 3 region or larger."""
    score: float = 0.0

    @property
    def resolved(self) -> bool:
        return self.lat is not None and self.lon is not None

    def to_contract(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None or k in ("lat", "lon")}

    def event_place(self) -> dict[str, object]:
        """The `events[].place` object of CONTRACTS §1."""
        keys = ("geonameid", "name", "lat", "lon", "country_code", "admin1_code", "admin2_name",
                "inegi_code", "feature_code", "geo_precision")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}
