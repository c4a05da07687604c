"""The word before a glossary term agrees with it.

An engine sees a term as a placeholder, a word it does not know: it writes "nuestro XTERM0X",
"notre XTERM0X" and the term comes back as "socias", "partenaires". The determiner or
possessive right before it is put in the term's number (and, in Spanish, its gender, read from
the head noun's ending); French elides before a vowel ("l'organisation"). Rules, not a grammar:
only the closed list of words below is ever changed, and only right before a term.
"""

from __future__ import annotations

import re

# Spanish: each word of a set, by (gender, number)
_ES_SETS = [("el", "la", "los", "las"), ("un", "una", "unos", "unas"), ("del", "de la", "de los", "de las"),
            ("al", "a la", "a los", "a las"), ("nuestro", "nuestra", "nuestros", "nuestras"),
            ("vuestro", "vuestra", "vuestros", "vuestras"), ("este", "esta", "estos", "estas"),
            ("ese", "esa", "esos", "esas"), ("aquel", "aquella", "aquellos", "aquellas"),
            ("otro", "otra", "otros", "otras"), ("todo el", "toda la", "todos los", "todas las"),
            ("mi", "mi", "mis", "mis"), ("tu", "tu", "tus", "tus"), ("su", "su", "sus", "sus")]
_ES = {form: forms for forms in _ES_SETS for form in forms}
_ES_FEMININE = re.compile(r"(a|as|ión|iones|dad|dades|tud|tudes|umbre|umbres)$")
_ES_MASCULINE_A = {"día", "días", "mapa", "mapas", "problema", "problemas", "programa", "programas",
                   "sistema", "sistemas", "tema", "temas", "idioma", "idiomas", "clima", "planeta",
                   "planetas"}
_ES_EITHER = re.compile(r"(ista|istas|nte|ntes|/a|/as)$")     # activista, ponente, facilitador/a
# French: singular -> plural (gender is left as the engine wrote it)
_FR_PLURAL = {"le": "les", "la": "les", "l'": "les", "un": "des", "une": "des", "du": "des",
              "de la": "des", "au": "aux", "à la": "aux", "ce": "ces", "cet": "ces", "cette": "ces",
              "mon": "mes", "ma": "mes", "ton": "tes", "ta": "tes", "son": "ses", "sa": "ses",
              "notre": "nos", "votre": "vos", "leur": "leurs"}
_FR_ELIDE = {"le": "l'", "la": "l'", "de": "d'", "du": "de l'", "de la": "de l'"}


def _case_like(model: str, word: str) -> str:
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def _ending(text: str, words: int) -> tuple[str, str] | None:
    """(everything before, the last `words` words) of `text`, trailing space dropped."""
    found = re.search(r"(?:^|\s)(\S+" + r"\s+\S+" * (words - 1) + r")$", text.rstrip())
    return (text.rstrip()[:found.start(1)], found.group(1)) if found else None


def _spanish(before: str, term: str, plural: bool) -> str | None:
    head = next((w for w in term.split() if w.isalpha()), "")
    if not head:
        return None
    low = head.lower()
    feminine = None if _ES_EITHER.search(low) else (
        low not in _ES_MASCULINE_A and _ES_FEMININE.search(low) is not None)
    for n in (2, 1):                                       # "de la", "todo el" before "la", "el"
        found = _ending(before, n)
        written = " ".join(found[1].lower().split()) if found else ""
        if found and (forms := _ES.get(written)):
            gender = forms.index(written) % 2 if feminine is None else int(feminine)   # epicene: as written
            return found[0] + _case_like(found[1], forms[gender + (2 if plural else 0)]) + " "
    return None


def _french(before: str, term: str, plural: bool) -> str | None:
    vowel = re.match(r"[aeiouyéèêàâîôûh]", term, re.IGNORECASE) is not None
    for n in (2, 1):
        found = _ending(before, n)
        if not found:
            continue
        low = " ".join(found[1].lower().split())
        if plural and low in _FR_PLURAL:
            return found[0] + _case_like(found[1], _FR_PLURAL[low]) + " "
        if not plural and vowel and low in _FR_ELIDE:
            return found[0] + _case_like(found[1], _FR_ELIDE[low])
    return None


def agree(before: str, term: str, plural: bool, lang: str) -> str:
    """`before` (the output up to the term) with its last word made to agree with `term`."""
    if not before.strip() or not before[-1:].isspace():
        return before
    rule = {"es": _spanish, "fr": _french}.get(lang)
    fixed = rule(before, term, plural) if rule else None
    return before if fixed is None else fixed
