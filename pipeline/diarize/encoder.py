"""Resemblyzer's GE2E speaker encoder, run in numpy: no torch in the default install.

The weights are the `pretrained.pt` that the PyPI package `resemblyzer` ships (Apache-2.0; 3-layer
LSTM of 256 units over 40 mel bands, a 256x256 linear layer, 256-d embeddings). setup.sh installs the
package with `--no-deps` (its dependencies would pull torch), and nothing here imports it: the file is
found through the package's installed metadata, its SHA-256 is checked, and it is read by a small
unpickler that builds nothing but plain dicts, numbers and float32 arrays (legacy torch format:
pickled objects whose tensors point at raw storages written after them).

The forward pass is resemblyzer's own (voice_encoder.py): the mel power spectrogram of librosa's
`melspectrogram` (25 ms Hann windows every 10 ms, centred with zero padding, Slaney mel filters,
power, no log) in numpy; the LSTM's final hidden state of the last layer on onnxruntime (an ONNX
graph written by onnx_graph.py from the same weights); ReLU(linear) and L2 norm in numpy.
tests/test_diarize_encoder.py checks it against resemblyzer's own torch model on real speech.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from ..errors import LearningLabError

SAMPLE_RATE = 16000
N_FFT = 400               # 25 ms
HOP_LENGTH = 160          # samples: 10 ms
N_MELS = 40
PARTIAL_FRAMES = 160      # 1.6 s: the window length the encoder was trained on
LAYERS, HIDDEN = 3, 256
TARGET_DBFS = -30.0       # resemblyzer's volume normalisation (increase only)
WEIGHTS_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
PACKAGE = "resemblyzer"
INSTALL_HINT = ("install the speaker encoder weights: `.venv/bin/pip install --no-deps resemblyzer==0.1.4` "
                "(scripts/setup.sh does it), or set LEARNINGLAB_SPEAKER_ENCODER to its pretrained.pt")


# -- the weights ---------------------------------------------------------------------------------

def weights_path() -> Path:
    """pretrained.pt: $LEARNINGLAB_SPEAKER_ENCODER, else the installed resemblyzer package's copy."""
    if env := os.environ.get("LEARNINGLAB_SPEAKER_ENCODER"):
        return Path(env)
    from importlib import metadata

    try:
        files = metadata.files(PACKAGE) or []
    except metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name == "pretrained.pt":
            return Path(file.locate())
    raise LearningLabError(None, "the speaker encoder weights (resemblyzer's pretrained.pt) are missing",
                           fix=INSTALL_HINT)


class _StateDict(dict):
    """torch pickles its OrderedDict state dicts with a `_metadata` attribute set on them."""


class _Storage:
    def __init__(self, dtype: str, count: int) -> None:
        self.dtype, self.count, self.data = dtype, count, None


def _rebuild_tensor(storage: _Storage, offset: int, size: tuple, stride: tuple, *_rest):
    return ("tensor", storage, offset, tuple(size), tuple(stride))


_DTYPES = {"FloatStorage": "<f4", "DoubleStorage": "<f8", "LongStorage": "<i8", "IntStorage": "<i4"}


class _Unpickler(pickle.Unpickler):
    """Only what a legacy torch state dict holds: OrderedDict, tensors, storages. Anything else
    (code, arbitrary classes) is refused, so the file cannot run anything."""

    def find_class(self, module: str, name: str):
        if (module, name) == ("collections", "OrderedDict"):
            return _StateDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _DTYPES:
            return name
        raise pickle.UnpicklingError(f"refused to load {module}.{name}")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, count = pid[:5]
        if kind != "storage" or storage_type not in _DTYPES:
            raise pickle.UnpicklingError(f"unexpected storage {pid!r}")
        return self.storages.setdefault(key, _Storage(_DTYPES[storage_type], int(count)))


def read_legacy_torch(data: bytes) -> dict:
    """A torch.save file of the legacy (pre-zip) format, as dicts of float arrays."""
    handle = io.BytesIO(data)
    for _ in range(3):                              # magic number, protocol version, system info
        pickle.load(handle)
    unpickler = _Unpickler(handle)
    unpickler.storages = {}
    obj = unpickler.load()
    keys = pickle.load(handle)
    for key in keys:
        storage = unpickler.storages[key]
        count = int.from_bytes(handle.read(8), "little")
        width = np.dtype(storage.dtype).itemsize
        storage.data = np.frombuffer(handle.read(count * width), dtype=storage.dtype)

    def build(value):
        if isinstance(value, tuple) and value[:1] == ("tensor",):
            _, storage, offset, size, stride = value
            array = np.lib.stride_tricks.as_strided(
                storage.data[offset:], shape=size,
                strides=tuple(s * storage.data.itemsize for s in stride))
            return np.array(array, dtype=np.float32)
        if isinstance(value, dict):
            return {k: build(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(build(v) for v in value)
        return value

    return build(obj)


@cache
def read_weights(path: Path | None = None) -> dict[str, np.ndarray]:
    """The encoder's state dict (lstm.*, linear.*) from pretrained.pt, checked by its SHA-256."""
    path = Path(path) if path else weights_path()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LearningLabError(path, f"cannot read the speaker encoder weights ({exc.strerror})",
                               fix=INSTALL_HINT) from exc
    if hashlib.sha256(data).hexdigest() != WEIGHTS_SHA256:
        raise LearningLabError(path, "is not resemblyzer 0.1.4's pretrained.pt (checksum differs)",
                               fix=INSTALL_HINT)
    return read_legacy_torch(data)["model_state"]


# -- features ------------------------------------------------------------------------------------

def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above."""
    f = np.asarray(f, dtype=np.float64)
    mel = f / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log_part, mel)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)), m * (200.0 / 3))


@cache
def mel_filters() -> np.ndarray:
    """(n_mels, 1 + n_fft/2) triangular filters, Slaney-normalised: librosa.filters.mel's defaults."""
    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2.0), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:N_MELS + 2] - mel_f[:N_MELS]))[:, None]
    return weights.astype(np.float32)


def mel_spectrogram(wav: np.ndarray) -> np.ndarray:
    """(frames, 40) mel power spectrogram; frame i is centred on sample i*160 (zero padded)."""
    wav = np.asarray(wav, dtype=np.float32)
    return mel_frames(np.pad(wav, N_FFT // 2), 1 + len(wav) // HOP_LENGTH)


def mel_frames(padded: np.ndarray, n_frames: int) -> np.ndarray:
    """Mel power of `n_frames` windows of N_FFT samples every HOP_LENGTH, from the start of `padded`
    (the spectrogram of one stretch: a long recording is done stretch by stretch, see embed_source)."""
    padded = np.ascontiguousarray(padded, dtype=np.float32)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    frames = np.lib.stride_tricks.as_strided(padded, shape=(n_frames, N_FFT),
                                             strides=(padded.strides[0] * HOP_LENGTH, padded.strides[0]))
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return (power.astype(np.float32) @ mel_filters().T).astype(np.float32)


# -- the network ---------------------------------------------------------------------------------

class Encoder:
    """The GE2E network on onnxruntime: mel windows in, L2-normalised 256-d embeddings out."""

    def __init__(self, path: Path | None = None) -> None:
        import onnxruntime

        from .onnx_graph import lstm_model

        state = read_weights(path)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 2
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            lstm_model(state, LAYERS, HIDDEN, N_MELS), options, providers=["CPUExecutionProvider"])
        self._linear_w = np.ascontiguousarray(state["linear.weight"].T)
        self._linear_b = state["linear.bias"]

    def embed(self, mel: np.ndarray, windows: list[tuple[int, int]], batch: int = 256,
              progress: Callable[[float], None] = lambda share: None) -> np.ndarray:
        """Embeddings of frame ranges [start, end) of one spectrogram; a window shorter than the
        others ends where it ends (its own last frame gives its state, as torch's LSTM would)."""
        out = np.zeros((len(windows), HIDDEN), np.float32)
        order = sorted(range(len(windows)), key=lambda k: windows[k][1] - windows[k][0])
        for j in range(0, len(order), batch):
            chunk = order[j:j + batch]
            lengths = np.array([windows[k][1] - windows[k][0] for k in chunk], np.int32)
            x = np.zeros((int(lengths.max()), len(chunk), N_MELS), np.float32)
            for col, k in enumerate(chunk):
                x[:lengths[col], col] = mel[windows[k][0]:windows[k][1]]
            h = self._session.run(["h"], {"x": x, "lengths": lengths})[0]
            raw = np.maximum(h @ self._linear_w + self._linear_b, 0.0)
            out[chunk] = raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)
            progress(min(1.0, (j + batch) / len(order)))
        return out


@cache
def load_encoder() -> Encoder:
    """One encoder per process: every episode of a run shares it."""
    return Encoder()
