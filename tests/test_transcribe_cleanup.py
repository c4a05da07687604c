"""What the driver does to decoded words: names spelled, loops cut, punctuation joined (no model)."""

from __future__ import annotations

from pipeline.transcribe.base import Timed
from pipeline.transcribe.chunks import pack
from pipeline.transcribe.cleanup import correct_names, cut_loops, is_echo, merge_punctuation
from pipeline.transcribe.vad import Turn, turns_from_probabilities

NAMES = ["Learning Lab", "WomenStrong"]


def words(text: str, step: float = 0.4) -> list[Timed]:
    return [Timed(i * step, i * step + step * 0.8, " " + w, 0.9) for i, w in enumerate(text.split())]


def text(found) -> str:
    return "".join(w.text for w in found).strip()


def test_names_replace_what_sounds_like_them():
    said = words("Welcome to the Women's Tron Learning lab. Partners of Women Strong's network met.")
    assert text(correct_names(said, NAMES)) == ("Welcome to the WomenStrong Learning Lab. Partners of "
                                                "WomenStrong's network met.")
    fixed = correct_names(said, NAMES)
    merged = next(w for w in fixed if w.text.strip() == "WomenStrong")
    assert (merged.start, merged.end) == (said[3].start, said[4].end)     # spans the words it replaced


def test_names_never_appear_from_ordinary_words():
    for sentence in ("The lab is learning fast.", "Women are strong.", "Lab, then learning.",
                     "A learning laboratory for women."):
        assert text(correct_names(words(sentence), NAMES)) == sentence
    assert text(correct_names(words("Lab works."), ["Lab"])) == "Lab works."    # too short to correct


def test_loops_are_cut_to_one_copy_and_real_repeats_stay():
    looped = words("I don't know. I don't know. I don't know. I don't know. We went home.")
    assert text(cut_loops(looped)) == "I don't know. We went home."
    kept = "no, no, we said no. Thank you, thank you."
    assert text(cut_loops(words(kept))) == kept
    assert text(cut_loops(words("yes yes yes yes yes yes then"))) == "yes then"


def test_a_whole_sentence_said_twice_running_is_a_loop_a_short_one_or_a_phrase_is_not():
    """Whisper wrote "And so it begins. And so it begins." for one 1.2 s "And so it begins." of a
    voice note (tests/test_share.py): too short for the compression test, cut here. "Can you hear
    me?" said twice stays a loop too (a lost sentence costs less than an invented one)."""
    looped = words("And so it begins. And so it begins. This is what a crocodile sounds like.")
    assert text(cut_loops(looped)) == "And so it begins. This is what a crocodile sounds like."
    for kept in ("Thank you. Thank you.", "Yes, I know. Yes, I know.",
                 "we said it was fine, we said it was fine."):
        assert text(cut_loops(words(kept))) == kept


def test_punctuation_and_split_words_go_back_onto_their_word():
    pieces = [Timed(0.0, 0.2, " Je", 0.9), Timed(0.2, 0.3, " m", 0.9), Timed(0.3, 0.7, "'appelle", 0.9),
              Timed(0.7, 1.0, " Éric", 0.9), Timed(1.0, 1.0, ".", 0.9), Timed(1.2, 1.3, " ¿", 0.9),
              Timed(1.3, 1.6, " Qué", 0.9), Timed(1.6, 1.6, "?", 0.9), Timed(1.7, 2.0, " self", 0.9),
              Timed(2.0, 2.4, "-made", 0.9)]
    merged = merge_punctuation(pieces)
    assert [w.text for w in merged] == [" Je", " m'appelle", " Éric.", " ¿Qué?", " self-made"]
    assert merged[1].start == 0.2 and merged[1].end == 0.7


def test_a_retry_that_repeats_the_neighbouring_words_is_an_echo():
    found = words("and so my fellow Americans ask not what your country can do for you")
    assert is_echo(words("ask not what your country"), found, 2.0, 3.0)
    assert not is_echo(words("ladies and gentlemen please fasten your seat belts"), found, 2.0, 3.0)


def test_turns_from_scores_merge_short_gaps_and_cut_long_turns():
    step = 512 / 16000
    probs = [0.0] * 10 + [0.9] * 60 + [0.1] * 15 + [0.9] * 40 + [0.0] * 40 + [0.95] * 2000 + [0.0] * 20
    for i in (1500, 1501, 1502):
        probs[i] = 0.4                      # a slight dip inside the 64 s turn
    turns = turns_from_probabilities(probs, len(probs) * step)
    assert turns[0].start < 10 * step and abs(turns[0].end - (125 * step + 0.1)) < 0.01   # 0.5 s gap merged
    long = [t for t in turns[1:]]
    assert len(long) >= 3 and all(t.duration <= 29.0 for t in long)
    assert all(a.end <= b.start for a, b in zip(turns, turns[1:], strict=False))
    assert abs(long[0].start - (165 * step - 0.1)) < 0.01 and abs(long[-1].end - (2165 * step + 0.1)) < 0.01


def test_chunks_fit_a_window_and_end_at_the_longest_pause():
    turns = [Turn(0.0, 8.0), Turn(8.5, 16.0), Turn(17.5, 19.0), Turn(19.4, 29.0), Turn(29.3, 40.0),
             Turn(45.0, 50.0)]
    chunks = pack(turns)
    assert [(c.start, c.end) for c in chunks] == [(0.0, 16.0), (17.5, 40.0), (45.0, 50.0)]
    assert all(c.end - c.start <= 30.0 for c in chunks)
    mixed = [Turn(0.0, 5.0, "en"), Turn(5.5, 9.0, "en"), Turn(9.5, 14.0, "fr")]
    assert [len(c.turns) for c in pack(mixed)] == [2, 1]


def test_batches_hold_at_most_batch_seconds_of_windows():
    """A session's costliest batch sets transcription's peak memory: long windows go in fewer a batch."""
    from pipeline.transcribe.chunks import Chunk
    from pipeline.transcribe.decoding import BATCH, BATCH_SECONDS, _schedule, token_limit

    chunks = [Chunk((Turn(k * 40.0, k * 40.0 + length, "en"),)) for k, length in
              enumerate([29.0] * 11 + [18.0] * 9)]
    batches = _schedule(chunks, BATCH, lambda c: 30.0 if c.end - c.start > 25 else 20.0)
    assert sorted(len(members) for _, members in batches) == [1, 1, 5, 5, 8]
    assert all(size * len(members) <= BATCH_SECONDS for size, members in batches)
    assert [len(m) for _, m in batches] == [5, 5, 1, 8, 1]             # in time order
    assert token_limit(25.0) > 4.9 * 25 + 20 and token_limit(5.0) < 224  # room, yet a loop is cut
