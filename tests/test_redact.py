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


def _random_segments(seed: int, words_share: float, text_lost: float) -> list[Segment]:
    """Segments of names and their parts, some without word times (as translations are), some whose
    text is gone but whose words stay."""
    import random

    vocabulary = ["we", "met", "the", "Real", "Academia", "Española", "real-academia", "Ana", "María",
                  "ana-maría", "Anabel", "said", "yes,", "MARIA.", "Éric", "Joanis", "—", ""]
    rng = random.Random(seed)
    segments, t = [], 0.0
    for _ in range(rng.randint(1, 40)):
        said = [w for w in rng.choices(vocabulary, k=rng.randint(0, 6)) if w]
        timed = tuple(Word(t + i, t + i + 1, w) for i, w in enumerate(said))
        text = "" if rng.random() < text_lost else " ".join(said)
        timing = timed if rng.random() < words_share else None
        segments.append(Segment(t, t + len(said) + 1, text, "es", timing))
        t += len(said) + 1
    return segments


def test_a_stream_redacted_a_window_at_a_time_is_redacted_as_one_running_text():
    """Redaction reads a transcript a window of segments at a time (a 3-hour transcript is never held
    whole): names split between segments, and between windows, are found exactly as in one pass, in
    the segments' text and in their words."""
    from pipeline.redact import redact_segments

    phrases = ["Real Academia Española", "Ana María", "Ana", "Éric Joanis"]
    for seed in range(150):
        words_share, text_lost = [(0.8, 0.0), (0.0, 0.0), (0.6, 0.1), (1.0, 0.1)][seed % 4]
        segments = _random_segments(seed, words_share, text_lost)
        ranges = [(2.5, 4.0)] if seed % 3 == 0 else []
        whole = list(redact_segments(segments, phrases, ranges, window=10**9))
        for window in (1, 2, 3, 7):
            windowed = list(redact_segments(iter(segments), phrases, ranges, window=window))
            assert windowed == whole, (seed, window)
    split = [Segment(0, 1, "we met the Real", "es", words((0, 1, "Real"),)),
             Segment(1, 2, "Academia", "es", words((1, 2, "Academia"),)),
             Segment(2, 3, "Española today", "es", words((2, 2.5, "Española"), (2.5, 3, "today")))]
    out = list(redact_segments(split, ["Real Academia Española"], window=1))
    assert [s.text for s in out] == [f"we met the {MARK}", MARK, f"{MARK} today"]
    assert [w.text for s in out for w in s.words] == [MARK, MARK, MARK, "today"]


def test_a_stream_is_given_out_as_it_is_read():
    """A window's settled segments leave before the rest of the stream is read, with word times or
    without (a translation's), so memory does not grow with the session."""
    from pipeline.redact import redact_segments

    for words_share in (1.0, 0.0):
        segments = [s for seed in range(40) for s in _random_segments(seed, words_share, 0.0)]
        read = 0

        def reading(given):
            nonlocal read
            for seg in given:
                read += 1
                yield seg

        out = redact_segments(reading(segments), ["Real Academia Española", "Ana"], window=16)
        for given, _ in enumerate(out, start=1):
            assert read - given <= 64, (words_share, read, given)
        assert given == len(segments) > 500
