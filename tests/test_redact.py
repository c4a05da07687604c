"""Redaction of names and time ranges in transcripts (case- and accent-insensitive)."""

from __future__ import annotations

from pipeline.redact import MARK, redact_text, redact_transcript
from pipeline.transcript import Segment, Transcript, Word


def test_names_are_matched_without_case_or_accents():
    text = "María told us. Then MARIA and maria's sister spoke; Mariana did not."
    expected = f"{MARK} told us. Then {MARK} and {MARK}'s sister spoke; Mariana did not."
    assert redact_text(text, ["María"]) == expected


def test_multiword_names_and_longest_first():
    text = "Éric Joanis works with eric joanis-smith and Éric."
    assert redact_text(text, ["Eric Joanis", "Éric"]) == f"{MARK} works with {MARK}-smith and {MARK}."


def words(*items):
    return tuple(Word(s, e, t) for s, e, t in items)


def test_transcript_words_and_ranges_are_redacted():
    seg = Segment(0.0, 4.0, "I am Éric Joanis from Montréal today.", "en",
                  words((0.0, 0.3, "I"), (0.3, 0.5, "am"), (0.5, 1.0, "Éric"), (1.0, 1.6, "Joanis"),
                        (1.6, 1.9, "from"), (1.9, 2.8, "Montréal"), (2.8, 3.5, "today.")))
    other = Segment(5.0, 8.0, "The address is twelve Main Street.", "en")
    t = Transcript("en", 8.0, (seg, other), "test", "none")
    out = redact_transcript(t, ["eric joanis"], [(1.8, 3.0), (6.0, 6.5)])
    first, second = out.segments
    assert [w.text for w in first.words] == ["I", "am", MARK, "from", MARK, "today."]
    assert first.text == f"I am {MARK} from {MARK} today."
    assert "Montr" not in first.text and "Joanis" not in first.text
    assert second.text == MARK       # no word times: the whole segment goes
    assert (first.start, first.end) == (0.0, 4.0)
