"""The trained NER models are refused when a file was changed, added or removed."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import pytest

from corrobora.extract.nlp import ModelIntegrityError, verify_model_dir

# (model folder, its weights, another file its manifest lists)
MODELS = [("en_ner", "ner/model", "LICENSE"), ("es_ner_e5", "weights.npz", "LICENSE")]


def _copy(name: str, tmp_path: Path) -> Path:
    copy = tmp_path / name
    shutil.copytree(Path(str(files("corrobora") / "models" / name)), copy)
    return copy


@pytest.mark.parametrize(("name", "weights", "listed"), MODELS)
def test_tampered_copy_is_refused(name: str, weights: str, listed: str,
                                  tmp_path: Path) -> None:
    copy = _copy(name, tmp_path)
    path = copy / weights
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match=rf"SHA-256 mismatch: {weights}"):
        verify_model_dir(copy)


@pytest.mark.parametrize(("name", "weights", "listed"), MODELS)
def test_missing_or_extra_file_is_refused(name: str, weights: str, listed: str,
                                          tmp_path: Path) -> None:
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
