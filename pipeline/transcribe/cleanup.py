"""What is done to decoded words before they become a transcript: loops cut, names spelled.

Glossary names (WomenStrong, Learning Lab) are not given to Whisper as a prompt: a prompt is
text the model may continue, and it did (a read-news clip came out starting with "Lab,").
Instead each name replaces the words that sound like it ("Women's Tron" -> "WomenStrong"), so a
name only ever appears where something like it was said.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

MIN_NAME_LETTERS = 6      # shorter names would match ordinary words
NAME_SIMILARITY = 0.85    # one letter wrong in seven ("Women's Tron" for WomenStrong)
LOOP_COPIES = {1: 5}      # a word said 5 times running is a decoding loop; a phrase, 3 times
PHRASE_COPIES = 3
SENTENCE_WORDS = 4        # a whole sentence of this many words said twice running is a loop too
ECHO = 0.6                # share of a retried stretch's words already found nearby: not new


class WordLike(Protocol):
    start: float
    end: float
    text: str


W = TypeVar("W", bound=WordLike)


def letters(text: str) -> str:
    """Lowercase letters and digits only, accents removed: how a name is compared."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if c.isalnum())


def _similarity(spoken: str, name: str) -> float:
    """1 - edit distance / the name's length, for words that start like the name."""
    if not spoken or not name or spoken[0] != name[0] or abs(len(spoken) - len(name)) > 2:
        return 0.0
    row = list(range(len(name) + 1))
    for i, a in enumerate(spoken, 1):
        previous, row[0] = row[0], i
        for j, b in enumerate(name, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (a != b))
    return 1 - row[-1] / len(name)


def correct_names(words: Sequence[W], names: Sequence[str]) -> list[W]:
    """Replace runs of 1-3 words that sound like a glossary name by the name itself."""
    targets = [(name, letters(name)) for name in names if len(letters(name)) >= MIN_NAME_LETTERS]
    if not targets:
        return list(words)
    out: list[W] = []
    i = 0
    while i < len(words):
        best = None
        for n in (1, 2, 3):
            run = words[i:i + n]
            if len(run) < n:
                break
            spoken = letters("".join(w.text for w in run))
            possessive = re.search(r"['’]s\W*$", run[-1].text) is not None
            if possessive:
                spoken = spoken[:-1]
            for name, key in targets:
                score = _similarity(spoken, key)
                if score >= NAME_SIMILARITY and (best is None or score > best[0]):
                    best = (score, n, name, possessive)
        if best is None:
            out.append(words[i])
            i += 1
            continue
        _, n, name, possessive = best
        run = words[i:i + n]
        lead = " " if run[0].text.startswith(" ") else ""
        tail = re.search(r"(['’]s)?([^\w'’]*)$", run[-1].text.strip())
        suffix = (tail.group(1) or "" if possessive else "") + (tail.group(2) or "")
        out.append(replace(run[0], end=run[-1].end, text=f"{lead}{name}{suffix}"))
        i += n
    return out


def _norm(words: Sequence[WordLike]) -> list[str]:
    return [letters(w.text) for w in words]


def cut_loops(words: Sequence[W]) -> list[W]:
    """Drop the extra copies of a word or phrase repeated back to back (a decoding loop): a word 5
    times, a phrase 3 times, a whole sentence of SENTENCE_WORDS or more twice."""
    words = list(words)
    keys = _norm(words)
    n_max = 12
    i, out = 0, []
    while i < len(words):
        cut = False
        for n in range(1, n_max + 1):
            unit = keys[i:i + n]
            if len(unit) < n or not all(unit):
                break
            copies = 1
            while keys[i + copies * n:i + (copies + 1) * n] == unit:
                copies += 1
            if copies >= LOOP_COPIES.get(n, PHRASE_COPIES) or (copies >= 2 and _is_sentence(words, i, n)):
                out += words[i:i + n]
                i += copies * n
                cut = True
                break
        if not cut:
            out.append(words[i])
            i += 1
    return out


def _is_sentence(words: Sequence[WordLike], i: int, n: int) -> bool:
    """Whether words[i:i+n] is a whole sentence of SENTENCE_WORDS or more: Whisper repeats one
    ("And so it begins. And so it begins." from a 1.2 s turn of a voice note), which is too short
    for its repetition test."""
    ends = (".", "?", "!", "…")
    return n >= SENTENCE_WORDS and words[i + n - 1].text.strip().endswith(ends) and (
        i == 0 or words[i - 1].text.strip().endswith(ends))


def is_echo(new: Sequence[WordLike], found: Sequence[WordLike], start: float, end: float) -> bool:
    """Whether words decoded again for a stretch were already found around it (timed elsewhere)."""
    near = sorted((w for w in found if start - 10.0 <= w.start <= end + 10.0), key=lambda w: w.start)
    a, b = _norm(new), _norm(near)
    if not a:
        return True
    matched = sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return matched / len(a) >= ECHO


def merge_punctuation(words: Sequence[W]) -> list[W]:
    """Pieces the tokenizer splits off go back onto their word: "country" "." -> "country.",
    "m" "'appelle" -> "m'appelle", "self" "-substantial" -> "self-substantial"; an opening mark
    such as ' "' or ' ¿' goes onto the word after it. (en, es and fr put spaces between words.)"""
    out: list[W] = []
    carry = ""
    for w in words:
        bare = w.text.strip()
        if not bare:
            continue
        if not any(c.isalnum() for c in bare) and w.text.startswith(" "):
            carry += bare
            continue
        if out and not w.text.startswith(" ") and not carry:
            out[-1] = replace(out[-1], text=out[-1].text + w.text, end=max(out[-1].end, w.end))
            continue
        if carry:
            w = replace(w, text=" " + carry + w.text.lstrip())
            carry = ""
        out.append(w)
    if carry and out:
        out[-1] = replace(out[-1], text=out[-1].text + carry)
    return out
