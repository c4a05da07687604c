"""Plurals of glossary forms, so "women-led organizations" matches the entry "women-led organization"
and comes out as "organizaciones lideradas por mujeres", not as the singular.

Rules, not a dictionary: they only need to be right for the noun phrases a glossary holds.
English inflects the head (the last word before the first preposition); Spanish and French
inflect every word up to the first function word (noun and its agreeing adjectives).
"""

from __future__ import annotations

import re

_EN_IRREGULAR = {"woman": "women", "man": "men", "child": "children", "person": "people"}
_EN_STOP = {"of", "for", "against", "to", "in", "on", "with", "by", "over", "and", "or"}
_ES_STOP = {"de", "del", "por", "para", "en", "contra", "con", "sobre", "entre", "a", "al", "y", "e", "o",
            "sin", "la", "las", "el", "los", "lo"}
_FR_STOP = {"de", "du", "des", "par", "pour", "en", "contre", "avec", "sur", "entre", "à", "au", "aux", "et",
            "ou", "sans", "dans", "le", "la", "les"}
STOP = {"en": _EN_STOP, "es": _ES_STOP, "fr": _FR_STOP}
_UNACCENT = str.maketrans("áéíóú", "aeiou")


def _is_fixed(word: str) -> bool:
    """Acronyms, numbers and slash doublets never inflect."""
    return not word.isalpha() or (word.isupper() and len(word) > 1)


def plural_word(word: str, lang: str) -> str:
    if _is_fixed(word):
        return word
    low = word.lower()
    if lang == "en":
        if low in _EN_IRREGULAR:
            return word[: len(word) - len(low)] + _EN_IRREGULAR[low]
        if low.endswith(("ss", "x", "z", "ch", "sh")):
            return word + "es"
        if low.endswith("s"):                        # already plural: "rights", "workers"
            return word
        if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
            return word[:-1] + "ies"
        return word + "s"
    if lang == "es":
        if low.endswith(("s", "x")) and len(low) > 3:
            return word
        if re.search(r"[áéíóú]n$", low):            # organización -> organizaciones
            return word[:-2] + word[-2:-1].translate(_UNACCENT) + "nes"
        if low.endswith("z"):
            return word[:-1] + "ces"
        if low[-1] in "aeiouáéó":
            return word + "s"
        return word + "es"
    if lang == "fr":
        if low.endswith(("s", "x", "z")):
            return word
        if low.endswith("al"):
            return word[:-2] + "aux"
        if low.endswith(("eau", "au", "eu")):
            return word + "x"
        return word + "s"
    return word


def _words(form: str) -> list[str]:
    return form.split(" ")


def inflected_positions(form: str, lang: str) -> list[int]:
    """Indexes of the words a plural changes."""
    words = _words(form)
    stop = STOP.get(lang, set())
    end = next((i for i, w in enumerate(words) if w.lower() in stop and i > 0), len(words))
    if lang == "en":
        return [end - 1] if end > 0 else []
    return list(range(end))


def _plural_part(word: str, lang: str) -> str:
    """A hyphenated word inflects its last part ("survivor-centred approach" is split on spaces only)."""
    head, sep, last = word.rpartition("-")
    return f"{head}{sep}{plural_word(last, lang)}" if sep and lang == "en" else plural_word(word, lang)


def pluralize(form: str, lang: str) -> str:
    words = _words(form)
    for i in inflected_positions(form, lang):
        words[i] = _plural_part(words[i], lang)
    return " ".join(words)


def word_variants(form: str, lang: str) -> list[tuple[str, ...]]:
    """Per word of `form`, the spellings a match accepts: the form itself first, then its plural."""
    positions = set(inflected_positions(form, lang))
    out = []
    for i, word in enumerate(_words(form)):
        if i in positions:
            plural = _plural_part(word, lang)
            out.append((word,) if plural == word else (word, plural))
        else:
            out.append((word,))
    return out
