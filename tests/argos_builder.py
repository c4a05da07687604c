"""Build genuine argos translation packages (.argosmodel) offline, for the tests and the bench.

A package is what argospm installs: a zip of one folder with metadata.json, a CTranslate2 model
(model/) and sentencepiece.model. Two kinds of model, both run by the real CTranslate2:

- `copy_model`: weights set by hand so that decoding step t reads source token t (cross-attention
  matches binary position codes) and writes it back through a dictionary (women -> mujeres).
  Its output is exactly predictable, so tests can assert on real argos decoding. `rewrite` makes a
  token come out as another one (as neural models sometimes mangle a placeholder); with `doubt`
  the original token stays the close second choice, so it is found among the n-best hypotheses.
- `random_model`: the size of a real argos model (transformer-base), random weights, and an
  end-of-sentence "clock" so decoding stops after a fixed number of steps, for benchmarks.

The idea follows ../shared/tools/make_tiny_argos.py (the team's recipe); this is the project's own
implementation.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "ca": "Catalan"}
ALPHABET = ("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 .,;:!?¿¡'’\"«»()[]-–/%&+ "
            "áàâäçéèêëíìîïñóòôöúùûüÿœæÁÀÂÇÉÈÊÍÑÓÔÚÜŒÆ")

# A few words per pair, so the copy model visibly translates; glossary terms never reach it.
WORDS = {
    ("en", "es"): {"women": "mujeres", "Women": "Mujeres", "girls": "niñas", "Girls": "Niñas",
                   "school": "escuela", "health": "salud", "rights": "derechos", "community": "comunidad",
                   "partners": "socias", "funding": "financiamiento"},
    ("en", "fr"): {"women": "femmes", "Women": "Femmes", "girls": "filles", "Girls": "Filles",
                   "school": "école", "health": "santé", "rights": "droits", "community": "communauté",
                   "partners": "partenaires", "funding": "financement"},
}


def words_for(source: str, target: str) -> dict[str, str]:
    if (source, target) in WORDS:
        return dict(WORDS[(source, target)])
    if (target, source) in WORDS:
        return {v: k for k, v in WORDS[(target, source)].items()}
    return {}


# -- tokenizer -----------------------------------------------------------------------------------

def train_sentencepiece(folder: Path, lines: Iterable[str], vocab_size: int, model_type: str = "unigram",
                        symbols: Sequence[str] = ()) -> Path:
    """A SentencePiece model trained here, in seconds; `symbols` always stay single pieces."""
    import sentencepiece as spm

    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(list(lines) + [ALPHABET]) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(folder / "sp"), vocab_size=vocab_size, model_type=model_type,
        character_coverage=1.0, hard_vocab_limit=False, user_defined_symbols=list(symbols),
        minloglevel=2, num_threads=2)
    return folder / "sp.model"


def vocabulary(sp_model: Path) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


# -- the copy-with-dictionary model ----------------------------------------------------------------

def _position_codes(positions: int, bits: int) -> np.ndarray:
    """Row p: p in binary, as +1/-1 per bit; two rows agree fully only with themselves."""
    p = np.arange(positions)[:, None]
    return np.where((p >> np.arange(bits)) & 1, 1.0, -1.0).astype(np.float32)


def copy_model(vocab: list[str], mapping: dict[str, str], rewrite: dict[str, str] | None = None,
               doubt: float = 0.0, bits: int = 8):
    """1+1-layer transformer: step t emits mapping(source token t); see the module docstring."""
    from ctranslate2.specs import transformer_spec

    size = len(vocab)
    width = size + bits + 1                      # [one-hot token | position code | unused]
    tok, pos = slice(0, size), slice(size, size + bits)
    zeros = lambda *shape: np.zeros(shape, np.float32)  # noqa: E731
    spec = transformer_spec.TransformerSpec.from_config((1, 1), num_heads=1, pre_norm=True, rms_norm=True)
    spec.config.add_source_eos = True            # the source </s> is copied too: decoding stops there

    codes = zeros(2 ** bits, width)
    codes[:, pos] = _position_codes(2 ** bits, bits)
    token_energy = np.sqrt(bits)                 # same norm as a position code

    def silent(layer) -> None:
        """Attention and feed-forward that add nothing to the residual stream."""
        layer.self_attention.layer_norm.gamma = np.ones(width, np.float32)
        layer.self_attention.linear[0].weight = zeros(3 * width, width)
        layer.self_attention.linear[1].weight = zeros(width, width)
        layer.ffn.layer_norm.gamma = np.ones(width, np.float32)
        layer.ffn.linear_0.weight = zeros(1, width)
        layer.ffn.linear_1.weight = zeros(width, 1)

    encoder, decoder = spec.encoder, spec.decoder
    encoder.scale_embeddings = decoder.scale_embeddings = False
    encoder.embeddings[0].weight = np.hstack([np.eye(size, dtype=np.float32) * token_energy,
                                             zeros(size, width - size)])
    encoder.position_encodings.encodings = codes
    encoder.layer_norm.gamma = np.ones(width, np.float32)
    silent(encoder.layer[0])

    decoder.embeddings.weight = zeros(size, width)   # what was emitted does not matter, only the step
    decoder.position_encodings.encodings = codes
    decoder.layer_norm.gamma = np.ones(width, np.float32)
    layer = decoder.layer[0]
    silent(layer)
    cross = layer.attention
    cross.layer_norm.gamma = np.ones(width, np.float32)
    query, key, value = zeros(width, width), zeros(width, width), zeros(width, width)
    query[pos, pos] = np.eye(bits) * 12.0        # sharp: attend to the one source position equal to t
    key[pos, pos] = np.eye(bits)
    value[tok, tok] = np.eye(size)
    cross.linear[0].weight = query
    cross.linear[1].weight = np.vstack([key, value])
    cross.linear[2].weight = value.copy()

    index = {piece: i for i, piece in enumerate(vocab)}
    projection = zeros(size, width)
    for i, piece in enumerate(vocab):
        out = (rewrite or {}).get(piece) or mapping.get(piece, piece)
        projection[index[out], i] = 4.0
        if doubt and out != piece and piece in (rewrite or {}):
            projection[i, i] = 4.0 - doubt       # the original token: a close second choice
    projection[:, width - 1] = 16.0              # int8 headroom on a dimension that is always 0
    decoder.projection.weight = projection
    return spec


# -- the benchmark-sized random model --------------------------------------------------------------

def random_model(vocab_size: int, stop_after: int, layers: int = 6, width: int = 512, heads: int = 8,
                 ffn: int = 2048, seed: int = 0):
    """Transformer-base with random weights; every hypothesis ends with </s> at step `stop_after`.

    A "clock" dimension of the decoder's position encodings is 0 before that step and large from it
    on, and only </s> reads that dimension: both engines under test decode the same number of steps.
    """
    from ctranslate2.specs import transformer_spec

    rng = np.random.default_rng(seed)
    spec = transformer_spec.TransformerSpec.from_config((layers, layers), num_heads=heads)
    rand = lambda *shape: (rng.standard_normal(shape) * 0.05).astype(np.float32)  # noqa: E731

    def norm(n) -> None:
        n.gamma, n.beta = np.ones(width, np.float32), np.zeros(width, np.float32)

    def dense(linear, rows: int, cols: int) -> None:
        linear.weight, linear.bias = rand(rows, cols), np.zeros(rows, np.float32)

    def block(layer, cross: bool) -> None:
        norm(layer.self_attention.layer_norm)
        dense(layer.self_attention.linear[0], 3 * width, width)
        dense(layer.self_attention.linear[1], width, width)
        if cross:
            norm(layer.attention.layer_norm)
            dense(layer.attention.linear[0], width, width)
            dense(layer.attention.linear[1], 2 * width, width)
            dense(layer.attention.linear[2], width, width)
        norm(layer.ffn.layer_norm)
        dense(layer.ffn.linear_0, ffn, width)
        dense(layer.ffn.linear_1, width, ffn)

    spec.encoder.embeddings[0].weight = rand(vocab_size, width)
    norm(spec.encoder.layer_norm)
    for layer in spec.encoder.layer:
        block(layer, cross=False)
    spec.decoder.embeddings.weight = rand(vocab_size, width)
    norm(spec.decoder.layer_norm)
    for layer in spec.decoder.layer:
        block(layer, cross=True)

    positions = 1024
    angles = np.arange(positions)[:, None] / np.power(10000, np.arange(0, width, 2)[None, :] / width)
    sinusoid = np.zeros((positions, width), np.float32)
    sinusoid[:, 0::2], sinusoid[:, 1::2] = np.sin(angles), np.cos(angles)
    clock = width - 1
    sinusoid[:, clock] = 0.0
    sinusoid[stop_after:, clock] = 1000.0
    spec.encoder.position_encodings.encodings = sinusoid.copy()
    spec.decoder.position_encodings.encodings = sinusoid

    eos = 2                                      # SentencePiece: <unk>=0, <s>=1, </s>=2
    projection = rand(vocab_size, width)
    projection[:, clock] = 0.0
    projection[eos, clock] = 10.0
    bias = np.zeros(vocab_size, np.float32)
    bias[eos] = -60.0
    spec.decoder.projection.weight, spec.decoder.projection.bias = projection, bias
    return spec


# -- sentence splitter for argostranslate (bench only) --------------------------------------------

def minisbd_model(path: Path, lang: str) -> Path:
    """A rule-based MiniSBD sentence splitter (ONNX) so argostranslate never downloads one.

    MiniSBD's interface: inputs `units` (character ids, B x T) and `features` (B x T x F),
    output logits B x T x 5 (0 nothing, 2 sentence end). Here: a sentence ends at . ! ? …
    followed by a space, a newline or the end of the text. Needs the `onnx` package.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    units = ["<PAD>", "<UNK>", " ", "\n"] + sorted(set(ALPHABET + "…") - {" "})
    ids = {u: i for i, u in enumerate(units)}

    def const(name: str, value) -> onnx.NodeProto:
        tensor = numpy_helper.from_array(np.asarray(value), name)
        return helper.make_node("Constant", [], [name], value=tensor)

    def any_equal(source: str, chars: Sequence[str], out: str) -> list:
        nodes, names = [], []
        for n, ch in enumerate(chars):
            nodes += [const(f"{out}_id{n}", np.int64(ids[ch])),
                      helper.make_node("Equal", [source, f"{out}_id{n}"], [f"{out}_eq{n}"])]
            names.append(f"{out}_eq{n}")
        for n in range(1, len(names)):
            nodes.append(helper.make_node("Or", [names[n - 1] if n == 1 else f"{out}_or{n - 1}", names[n]],
                                          [f"{out}_or{n}"]))
        last = f"{out}_or{len(names) - 1}" if len(names) > 1 else names[0]
        nodes.append(helper.make_node("Identity", [last], [out]))
        return nodes

    nodes = [
        const("pads", np.array([0, 0, 0, 1], np.int64)),
        helper.make_node("Pad", ["units", "pads"], ["padded"]),            # one <PAD> after the text
        const("one", np.array([1], np.int64)), const("big", np.array([1 << 40], np.int64)),
        const("axis", np.array([1], np.int64)),
        helper.make_node("Slice", ["padded", "one", "big", "axis"], ["following"]),
        *any_equal("units", [".", "!", "?", "…"], "stop"),
        *any_equal("following", ["<PAD>", " ", "\n"], "gap"),
        helper.make_node("And", ["stop", "gap"], ["ends"]),
        helper.make_node("Cast", ["ends"], ["ends_f"], to=TensorProto.FLOAT),
        const("last_axis", np.array([-1], np.int64)),
        helper.make_node("Unsqueeze", ["ends_f", "last_axis"], ["ends_3d"]),
        const("weight", np.array([0, 0, 2, 0, 0], np.float32)),
        const("bias", np.array([1, 0, 0, 0, 0], np.float32)),
        helper.make_node("Mul", ["ends_3d", "weight"], ["scaled"]),
        helper.make_node("Add", ["scaled", "bias"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes, "sentence_ends",
        [helper.make_tensor_value_info("units", TensorProto.INT64, ["B", "T"]),
         helper.make_tensor_value_info("features", TensorProto.FLOAT, ["B", "T", "F"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["B", "T", 5])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    helper.set_model_props(model, {
        "lang_code": lang,
        "config": json.dumps({"feat_funcs": ["space_before"], "max_seqlen": 1000, "batch_size": 32}),
        "vocab": json.dumps({"lang": lang, "idx": 0, "cutoff": 0, "lower": False,
                             "_unit2id": ids, "_id2unit": units}),
        "lexicon": "null"})
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


# -- packaging -------------------------------------------------------------------------------------

def write_package(out_dir: Path, source: str, target: str, spec, sp_model: Path, vocab: list[str],
                  name: str, version: str = "1.0", quantization: str | None = None,
                  extra_files: dict[str, Path] | None = None) -> Path:
    """Save the model and zip the folder as `<name>.argosmodel` (argospm's layout)."""
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=quantization)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / name
        (root / "model").mkdir(parents=True)
        spec.save(str(root / "model"))
        shutil.copy(sp_model, root / "sentencepiece.model")
        for rel, path in (extra_files or {}).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, root / rel)
        metadata = {"package_version": version, "argos_version": "1.11.0", "type": "translate",
                    "from_code": source, "from_name": LANGUAGE_NAMES.get(source, source),
                    "to_code": target, "to_name": LANGUAGE_NAMES.get(target, target), "links": []}
        (root / "metadata.json").write_text(json.dumps(metadata, indent=1), encoding="utf-8")
        (root / "README.md").write_text(f"Test package {source}->{target}, built by tests/argos_builder.py. "
                                        "Not a real translator.\n", encoding="utf-8")
        archive = out_dir / f"{name}.argosmodel"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(Path(tmp)).as_posix())
    return archive


def corpus(extra: Sequence[str] = (), n: int = 300, seed: int = 3) -> list[str]:
    """Generated en/es/fr sentences for the test tokenizer, plus any text the tests will translate."""
    rnd = random.Random(seed)
    parts = {
        "en": (["Women", "Girls", "Partners", "Communities", "Our team"],
               ["lead", "support", "need", "build"],
               ["safe schools", "health rights", "community funding", "peer learning"]),
        "es": (["Las mujeres", "Las niñas", "Las socias"], ["lideran", "apoyan", "necesitan"],
               ["escuelas seguras", "derechos de salud", "financiamiento comunitario"]),
        "fr": (["Les femmes", "Les filles", "Les partenaires"], ["dirigent", "soutiennent", "exigent"],
               ["des écoles sûres", "les droits à la santé", "un financement communautaire"]),
    }
    lines = []
    for i in range(n):
        subjects, verbs, objects = parts[("en", "es", "fr")[i % 3]]
        lines.append(f"{rnd.choice(subjects)} {rnd.choice(verbs)} {rnd.choice(objects)}.")
    return lines + list(extra)


def build_copy_packages(out_dir: Path, pairs: Sequence[tuple[str, str]], texts: Sequence[str] = (),
                        variants: dict[str, dict] | None = None) -> dict[str, Path]:
    """Copy-model packages for `pairs` (sharing one tokenizer), plus named variants.

    `variants` maps a package name to {"pair": (src, tgt), "rewrite": {...}, "doubt": float}.
    Returns package name -> .argosmodel path.
    """
    rewritten = {w for v in (variants or {}).values() for kv in (v.get("rewrite") or {}).items() for w in kv}
    symbols = sorted({w for pair in WORDS.values() for kv in pair.items() for w in kv} | {"XTERM", "TERM"}
                     | rewritten)
    with tempfile.TemporaryDirectory() as tmp:
        sp_model = train_sentencepiece(Path(tmp), corpus(texts), vocab_size=400, symbols=symbols)
        vocab = vocabulary(sp_model)
        built = {}
        for source, target in pairs:
            name = f"translate-{source}_{target}-test"
            built[name] = write_package(out_dir, source, target, copy_model(vocab, words_for(source, target)),
                                        sp_model, vocab, name)
        for name, v in (variants or {}).items():
            source, target = v["pair"]
            spec = copy_model(vocab, words_for(source, target), v.get("rewrite"), v.get("doubt", 0.0))
            built[name] = write_package(out_dir, source, target, spec, sp_model, vocab, name)
    return built
