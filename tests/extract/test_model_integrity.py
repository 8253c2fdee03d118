"""The trained NER models are refused when a file was changed, added or removed."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import pytest

from corrobora.extract.nlp import ModelIntegrityError, load_model_dir, verify_model_dir

# (model folder, a file its manifest lists besides the weights)
MODELS = [("en_ner", "LICENSE"), ("es_ner", "meta.json")]


def _copy(name: str, tmp_path: Path) -> Path:
    copy = tmp_path / name
    shutil.copytree(Path(str(files("corrobora") / "models" / name)), copy)
    return copy


@pytest.mark.parametrize(("name", "listed"), MODELS)
def test_tampered_copy_is_refused(name: str, listed: str, tmp_path: Path) -> None:
    copy = _copy(name, tmp_path)
    weights = copy / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match=r"SHA-256 mismatch: ner/model"):
        load_model_dir(copy)


@pytest.mark.parametrize(("name", "listed"), MODELS)
def test_missing_or_extra_file_is_refused(name: str, listed: str, tmp_path: Path) -> None:
    copy = _copy(name, tmp_path)
    (copy / "extra.bin").write_bytes(b"x")
    with pytest.raises(ModelIntegrityError, match=r"not in manifest: extra\.bin"):
        verify_model_dir(copy)
    (copy / "extra.bin").unlink()
    (copy / listed).unlink()
    with pytest.raises(ModelIntegrityError, match=rf"missing {listed.replace('.', '[.]')}"):
        verify_model_dir(copy)
    (copy / "MANIFEST.json").unlink()
    with pytest.raises(ModelIntegrityError, match=r"MANIFEST\.json"):
        verify_model_dir(copy)
