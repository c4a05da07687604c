"""Rebuild an openai-whisper checkpoint from CTranslate2 Whisper weights (faster-whisper's format).

Why: the only Whisper weights installable offline here come as CTranslate2 ``model.bin`` files
(DESIGN.md), while openai-whisper loads a torch checkpoint ``{"dims", "model_state_dict"}``.
The two hold the same tensors under other names, with attention projections fused; this module
reads ``model.bin`` (binary format version <= 6) with numpy, undoes int8/int16 quantization,
splits the fused projections, and stores the decoder's alignment heads from ``config.json``
the way openai-whisper encodes them (word timestamps depend on them). Needs numpy and torch only.
"""

from __future__ import annotations

import base64
import gzip
import json
import struct
from pathlib import Path

import numpy as np

from . import atomic
from .errors import LearningLabError

# CTranslate2's DataType enum order (ctranslate2/specs/model_spec.py, include/ctranslate2/types.h).
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
MAX_BINARY_VERSION = 6


class _Reader:
    """Sequential little-endian reads over the bytes of one model.bin."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.pos, self.path = data, 0, path

    def take(self, n: int) -> int:
        start = self.pos
        self.pos += n
        if self.pos > len(self.data):
            raise LearningLabError(self.path, "model.bin is truncated", fix="reinstall the Whisper weights")
        return start

    def unpack(self, fmt: str) -> int:
        return struct.unpack_from("<" + fmt, self.data, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        n = self.unpack("H")
        return self.data[self.take(n):self.pos - 1].decode("utf-8")   # stored with a trailing NUL

    def array(self, dtype: str, shape: list[int], nbytes: int) -> np.ndarray:
        start = self.take(nbytes)
        if dtype == "bfloat16":   # numpy has no bfloat16: widen the top 16 bits into float32
            raw = np.frombuffer(self.data, np.uint16, nbytes // 2, start)
            return (raw.astype(np.uint32) << 16).view(np.float32).reshape(shape)
        kind = np.dtype(dtype)
        return np.frombuffer(self.data, kind, nbytes // kind.itemsize, start).reshape(shape)


def read_model_bin(path: Path) -> dict[str, np.ndarray]:
    """All variables of a CTranslate2 Whisper model.bin by name, aliases resolved."""
    r = _Reader(Path(path).read_bytes(), Path(path))
    version, spec, _revision = r.unpack("I"), r.string(), r.unpack("I")
    if version > MAX_BINARY_VERSION or spec != "WhisperSpec":
        raise LearningLabError(path, f"not a supported CTranslate2 Whisper model (format {version}, {spec})",
                               fix="use faster-whisper weights (CTranslate2 format 6 or older)")
    variables: dict[str, np.ndarray] = {}
    for _ in range(r.unpack("I")):
        name = r.string()
        shape = [r.unpack("I") for _ in range(r.unpack("B"))]
        dtype = _DTYPES[r.unpack("B")]
        variables[name] = r.array(dtype, shape, r.unpack("I"))
    for _ in range(r.unpack("I")):        # e.g. decoder/projection -> decoder/embeddings
        alias, target = r.string(), r.string()
        variables[alias] = variables[target]
    return variables


def dequantized(v: dict[str, np.ndarray], prefix: str) -> np.ndarray:
    """A layer's float weight: CTranslate2 stores int8 as round(w * scale) with one scale per output row."""
    w = v[prefix + "/weight"]
    if w.dtype not in (np.int8, np.int16):
        return w
    scale = v[prefix + "/weight_scale"].astype(np.float32)
    if scale.ndim:   # int8: per output channel (conv weights have a kernel axis too)
        scale = scale.reshape((-1,) + (1,) * (w.ndim - 1))
    return w.astype(np.float32) / scale


class _StateDict:
    """openai-whisper's state dict from CTranslate2 variables, in float16 like OpenAI's own files."""

    def __init__(self, v: dict[str, np.ndarray]) -> None:
        import torch

        self.v, self.torch, self.out = v, torch, {}

    def put(self, name: str, array: np.ndarray) -> None:
        self.out[name] = self.torch.from_numpy(np.array(array, dtype=np.float16))

    def linear(self, dst: str, src: str, parts: int = 1, index: int = 0, bias: bool = True) -> None:
        """One projection, or slice `index` of `parts` fused ones (CTranslate2 fuses q/k/v and k/v)."""
        w = dequantized(self.v, src)
        rows = w.shape[0] // parts
        self.put(dst + ".weight", w[index * rows:(index + 1) * rows])
        if bias:
            self.put(dst + ".bias", self.v[src + "/bias"][index * rows:(index + 1) * rows])

    def norm(self, dst: str, src: str) -> None:
        self.put(dst + ".weight", self.v[src + "/gamma"])
        self.put(dst + ".bias", self.v[src + "/beta"])

    def block(self, dst: str, src: str, cross: bool) -> None:
        own = src + "/self_attention"           # linear_0 = [q; k; v] (k has no bias), linear_1 = out
        for i, part in enumerate(("query", "key", "value")):
            self.linear(f"{dst}.attn.{part}", own + "/linear_0", 3, i, bias=part != "key")
        self.linear(dst + ".attn.out", own + "/linear_1")
        self.norm(dst + ".attn_ln", own + "/layer_norm")
        if cross:                                # linear_0 = q, linear_1 = [k; v], linear_2 = out
            ca = src + "/attention"
            self.linear(dst + ".cross_attn.query", ca + "/linear_0")
            self.linear(dst + ".cross_attn.key", ca + "/linear_1", 2, 0, bias=False)
            self.linear(dst + ".cross_attn.value", ca + "/linear_1", 2, 1)
            self.linear(dst + ".cross_attn.out", ca + "/linear_2")
            self.norm(dst + ".cross_attn_ln", ca + "/layer_norm")
        self.linear(dst + ".mlp.0", src + "/ffn/linear_0")
        self.linear(dst + ".mlp.2", src + "/ffn/linear_1")
        self.norm(dst + ".mlp_ln", src + "/ffn/layer_norm")


def _layers(v: dict[str, np.ndarray], side: str) -> int:
    return sum(1 for k in v if k.startswith(f"{side}/layer_") and k.endswith("/ffn/linear_0/bias"))


def to_checkpoint(v: dict[str, np.ndarray], alignment_heads: list[list[int]] | None = None) -> dict:
    """The openai-whisper checkpoint dict for CTranslate2 Whisper variables `v`."""
    n_enc, n_dec = _layers(v, "encoder"), _layers(v, "decoder")
    sd = _StateDict(v)
    sd.linear("encoder.conv1", "encoder/conv1")
    sd.linear("encoder.conv2", "encoder/conv2")
    sd.put("encoder.positional_embedding", v["encoder/position_encodings/encodings"])
    for i in range(n_enc):
        sd.block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    sd.norm("encoder.ln_post", "encoder/layer_norm")
    sd.put("decoder.token_embedding.weight", dequantized(v, "decoder/embeddings"))   # int8 too, if quantized
    sd.put("decoder.positional_embedding", v["decoder/position_encodings/encodings"])
    for i in range(n_dec):
        sd.block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    sd.norm("decoder.ln", "decoder/layer_norm")
    conv1, embeddings = v["encoder/conv1/weight"], v["decoder/embeddings/weight"]
    dims = {"n_mels": conv1.shape[1], "n_audio_ctx": v["encoder/position_encodings/encodings"].shape[0],
            "n_audio_state": conv1.shape[0], "n_audio_head": int(v["encoder/num_heads"]),
            "n_audio_layer": n_enc, "n_vocab": embeddings.shape[0],
            "n_text_ctx": v["decoder/position_encodings/encodings"].shape[0],
            "n_text_state": embeddings.shape[1], "n_text_head": int(v["decoder/num_heads"]),
            "n_text_layer": n_dec}
    checkpoint = {"dims": {k: int(x) for k, x in dims.items()}, "model_state_dict": sd.out}
    if alignment_heads:
        checkpoint["alignment_heads"] = encode_alignment_heads(alignment_heads, n_dec, dims["n_text_head"])
    return checkpoint


def encode_alignment_heads(heads: list[list[int]], layers: int, per_layer: int) -> str:
    """(layer, head) pairs as openai-whisper's base85(gzip(bool mask)), for Whisper.set_alignment_heads."""
    mask = np.zeros((layers, per_layer), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes(), mtime=0)).decode("ascii")


def convert(model_dir: Path, target: Path) -> dict:
    """Write the openai-whisper checkpoint for the CTranslate2 model in `model_dir`, atomically."""
    import torch

    model_dir = Path(model_dir)
    config = model_dir / "config.json"
    heads = json.loads(config.read_text()).get("alignment_heads") if config.is_file() else None
    checkpoint = to_checkpoint(read_model_bin(model_dir / "model.bin"), heads)
    with atomic.atomic_path(target) as tmp, open(tmp, "wb") as out:
        torch.save(checkpoint, out)      # a file object: torch names the archive after a path (random here)
    return checkpoint["dims"]
