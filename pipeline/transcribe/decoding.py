"""The shared driver: every speech turn decoded, checked for coverage, retried, or reported.

1. One Silero VAD pass over the recording gives the speech turns (vad.py).
2. With language "auto", each turn's language is told from a 5 s encoding of its start.
3. Turns are packed into chunks of at most 25 s that never cross a long pause or a change of
   language (chunks.py); each chunk is encoded once, and that encoding serves decoding and word
   timing.
4. Chunks are decoded in batches. A decoding that loops or is unsure is tried again by
   sampling; one that is silence by Whisper's own test, or still doubtful, yields nothing.
5. Words are timed against the same encoding (alignment pass). Coverage: every stretch of a
   turn with no word for RETRY_GAP seconds, and every turn with no word at all, is decoded again
   on its own, then by sampling; what is still empty is reported in `extra["untranscribed"]`,
   never dropped without a word.
6. Segments are cut from the words, turn by turn; glossary names are spelled by post-correction
   (cleanup.py), so a name can never appear where nothing like it was said.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .. import LANGUAGES
from ..transcript import Segment, Transcript, Word
from .base import WINDOW_SECONDS, Alignment, Engine, Hypothesis, Progress, Request
from .chunks import CONFIDENT, MIN_DETECT, Chunk, main_language, ours, pack, settle
from .cleanup import correct_names, cut_loops, is_echo, merge_punctuation
from .vad import (
    FAINT_OFFSET,
    FAINT_ONSET,
    MIN_SPEECH,
    Turn,
    pauses_from_probabilities,
    speech_probabilities,
    turns_from_probabilities,
)

BATCH = 8                   # windows per encode/decode call
# ...and at most this many seconds of windows: a session's costliest batch sets transcription's
# peak (bench/bench_decode_bounds.py, base, int8, beam 5: 8 windows of 30 s add 315 MB, 5 add 164;
# the 3-hour session's peak went from 1033 to 755 MB).
BATCH_SECONDS = 160.0
# Whisper's texts of real speech ran to at most 4.9 tokens a second of window on the 60-minute bench
# session (p99 3.8); a decoding that loops runs on to the model's limit (224 tokens) and holds its
# batch meanwhile (bench/bench_decode_bounds.py: 11 windows of 25 s with 2 loops, 7.9 s unbounded,
# 7.2 s bounded). Bounded with room to spare: a text cut short leaves the end of its turn without
# words, which coverage decodes again.
TOKENS_PER_SECOND, TOKENS_LEAD = 7.0, 16
# Measured on bench/bench_longform.py's 38-minute tuning session (README): carrying the previous
# chunk's last 64 tokens changed the WER by nothing (0.182 both) and made decoding 23 % slower, so
# no text is carried (and a decoding loop cannot spread from one chunk to the next). Encoding each
# chunk at its own length (rounded up to 5 s) instead of 30 s halved the encoder's time, WER 0.180.
# Measured on the bench's 5-minute excerpt (A/B/A/B, same machine): chunks of at most 25 s instead
# of 30 s: 1.5x as fast there (the encoder's cost grows faster than its window; Whisper skipped
# less, so no coverage retries were needed), WER 0.236 (0.238); 20 s: 0.242; 15 s: 0.259, with
# decoding loops. On the 60-minute session, whose chunks are mostly shorter, it changed little.
CHUNK_SECONDS = 25.0        # longest chunk of turns (a longer turn is a chunk of its own)
WINDOW_STEP = 5.0           # a chunk is encoded at its length rounded up to this; 0: always 30 s
RETRY_GAP = 1.5             # seconds of a turn with no word in them: decoded again on their own
RETRY_PAD = 0.25            # seconds of context around a retried stretch
MARGIN = 0.3                # seconds of the pauses around a chunk decoded with it
DETECT_SECONDS = 5.0        # of each turn, encoded on their own to tell its language
DETECT_BATCH = 16
SURE_LANGUAGE = 0.9         # a turn told with less is decoded in its two likeliest languages
MAX_WORD = 1.5              # a word "lasting" longer covers only this much (alignment stretches over gaps)
NO_SPEECH, UNSURE, LOOP = 0.6, -1.0, 2.4   # Whisper's thresholds: silence, low log-probability, repetition
FALLBACK_TEMPERATURES = (0.4, 0.8)
SENTENCE_END = (".", "?", "!", "…", "。")
MAX_SEGMENT = 20.0          # seconds
SEGMENT_PAUSE = 2.0         # seconds of silence that end a segment even inside a sentence
CLAUSE_PAUSE, CLAUSE_AFTER = 0.5, 5.0   # a pause after a comma ends a segment already this long


@dataclass(frozen=True)
class Found:
    """A transcribed word at its place in the recording."""
    start: float
    end: float
    text: str
    probability: float
    turn: int


@dataclass(frozen=True)
class Stretch:
    """A piece of a turn to decode on its own."""
    turn: int
    start: float
    end: float
    language: str


def _is_silence(h: Hypothesis) -> bool:
    return not h.text.strip() or (h.no_speech_prob > NO_SPEECH and h.avg_logprob < UNSURE)


def _doubtful(h: Hypothesis) -> bool:
    return not _is_silence(h) and (h.compression_ratio > LOOP or h.avg_logprob < UNSURE)


def _better(a: Hypothesis, b: Hypothesis) -> Hypothesis:
    """Prefer a decoding that does not loop, then the more probable one."""
    return min((a, b), key=lambda h: (h.compression_ratio > LOOP, _is_silence(h), -h.avg_logprob))


def decode_with_fallback(engine: Engine, encoded, requests: Sequence[Request],
                         temperatures: Sequence[float] = FALLBACK_TEMPERATURES, always: bool = False
                         ) -> list[Hypothesis | None]:
    """Beam search; a doubtful result (looping, improbable; or any empty one when `always`) is
    tried again by sampling at rising temperatures. What is silence, or
    still doubtful after every try, gives None: no text rather than invented text."""
    found = list(engine.decode(encoded, requests))
    for temperature in temperatures:
        again = [k for k, h in enumerate(found) if _doubtful(h) or (always and _is_silence(h))]
        if not again:
            break
        retried = engine.decode(encoded, [replace(requests[k], temperature=temperature) for k in again])
        for k, h in zip(again, retried, strict=True):
            found[k] = _better(found[k], h)
    return [None if _is_silence(h) or _doubtful(h) else h for h in found]


def batch_size(seconds: float, batch: int = BATCH) -> int:
    """How many windows of `seconds` one call takes: `batch`, fewer for long windows (BATCH_SECONDS)."""
    return max(1, min(batch, int(BATCH_SECONDS // seconds)))


def token_limit(seconds: float) -> int:
    """The most text tokens a decoding of a window of `seconds` may take."""
    return int(TOKENS_LEAD + TOKENS_PER_SECOND * seconds)


def _schedule(chunks: list[Chunk], batch: int, seconds) -> list[tuple[float, list[Chunk]]]:
    """Batches of chunks, each with the window length its chunks are encoded at: a chunk is
    encoded at its own length rounded up to WINDOW_STEP (a 12 s chunk at 15 s, not 30) and batched
    with chunks of that length, at most BATCH_SECONDS of windows a batch."""
    buckets: dict[float, list[Chunk]] = {}
    for chunk in chunks:
        buckets.setdefault(seconds(chunk), []).append(chunk)
    batches = [(size, members[i:i + batch_size(size, batch)]) for size, members in buckets.items()
               for i in range(0, len(members), batch_size(size, batch))]
    return sorted(batches, key=lambda b: b[1][0].start)


class _Clocked:
    """The engine, with the seconds spent in each primitive added up (bench/bench_longform.py
    prints them: what encoding, decoding and word timing each cost)."""

    def __init__(self, engine: Engine, seconds: dict[str, float]) -> None:
        self._engine, self._seconds = engine, seconds

    def __getattr__(self, name: str):
        value = getattr(self._engine, name)
        if name not in ("encode", "detect", "decode", "align"):
            return value

        def clocked(*args, **kwargs):
            started = time.perf_counter()
            try:
                return value(*args, **kwargs)
            finally:
                self._seconds[name] = self._seconds.get(name, 0.0) + time.perf_counter() - started
        return clocked


class Driver:
    """One recording's transcription; `run` does it all. `stats` counts what it did."""

    def __init__(self, engine: Engine, source, language: str, hotwords: Sequence[str], progress: Progress):
        self.stats: dict[str, float] = {"chunks": 0, "encoded": 0, "retried": 0, "recovered": 0}
        self.engine = _Clocked(engine, self.stats)
        self.source, self.language = source, language
        self.hotwords, self.progress = tuple(hotwords), progress
        self.turns: list[Turn] = []
        self.pauses: list[tuple[float, float]] = []      # inside turns too, from the same VAD pass
        self.found: list[Found] = []
        self.untranscribed: list[tuple[float, float]] = []
        self.decided: dict[float, tuple[str, list[Found]]] = {}   # unsure turns, by start: language, words
        self.done = 0.0

    # -- turns and languages -------------------------------------------------------------------

    def _languages(self, turns: list[Turn]) -> list[Turn]:
        """Each turn's language, from a short encoding of its first DETECT_SECONDS.

        A chunk's own encoding cannot tell the languages of the turns inside it (measured on
        tests/test_longform.py's session: a 3.7 s Spanish turn in an English chunk came out English
        both from its slice of the encoding and from the chunk as a whole, 0.99), so every turn is
        told apart before the chunks are packed; an encoder fed 5 s instead of 30 s does it about
        ten times cheaper and as surely (es 1.00, fr 0.99, en 1.00 on real turns). Short or unsure
        turns take their nearer confident neighbour's language."""
        long = [k for k, t in enumerate(turns) if t.duration >= MIN_DETECT]
        out = list(turns)
        for i in range(0, len(long), DETECT_BATCH):
            batch = long[i:i + DETECT_BATCH]
            heads = [self.source.read(turns[k].start, min(turns[k].end, turns[k].start + DETECT_SECONDS))
                     for k in batch]
            encoded = self.engine.encode(heads, seconds=DETECT_SECONDS)
            probs = self.engine.detect(encoded, [(j, 0.0, min(turns[k].duration, DETECT_SECONDS))
                                                 for j, k in enumerate(batch)])
            for k, p in zip(batch, probs, strict=True):
                language, share = ours(p)
                out[k] = replace(turns[k], language=language, probability=share)
                if share < SURE_LANGUAGE:
                    out[k] = self._by_decoding(out[k], p)
        main = main_language(out) or "en"
        return settle(out, main)

    def _by_decoding(self, turn: Turn, probs: dict[str, float]) -> Turn:
        """An unsure turn decoded in its two likeliest languages: the one Whisper transcribes with
        more confidence wins (in the other it translates, less surely). Measured: "Al señor Don Manuel
        Tamayo y Baus..." detected English 0.86, decoded Spanish at -0.29, English at -0.56.
        The winner's decoding is the turn's transcript (it is not decoded again in a chunk): the
        turn is timed from that same encoding, as it would be alone."""
        top = sorted(LANGUAGES, key=lambda lang: -probs.get(lang, 0.0))[:2]
        seconds = min(WINDOW_SECONDS, max(DETECT_SECONDS, turn.duration + 0.5))
        encoded = self.engine.encode([self.source.read(turn.start, turn.end)], seconds=seconds)
        hyps = self.engine.decode(encoded, [Request(0, lang, max_tokens=token_limit(turn.duration))
                                            for lang in top])
        self.stats["unsure"] = self.stats.get("unsure", 0) + 1
        hyp, best = max(zip(hyps, top, strict=True), key=lambda pair: pair[0].avg_logprob)
        if not (_is_silence(hyp) or _doubtful(hyp)):
            timed = self.engine.align(encoded, [Alignment(0, best, hyp.tokens, turn.end - turn.start)])[0]
            self.decided[turn.start] = (best, [
                Found(min(turn.start + w.start, turn.end), min(turn.start + max(w.end, w.start), turn.end),
                      w.text, w.probability, -1) for w in merge_punctuation(timed)])
        return replace(turn, language=best, probability=max(turn.probability, CONFIDENT))

    def _take_decided(self) -> tuple[set[int], list[Stretch]]:
        """The unsure turns transcribed while their language was told (a turn whose language the
        neighbours changed afterwards is decoded again with them): their words, and their gaps."""
        done, gaps = set(), []
        for start, (language, words) in self.decided.items():
            k = self._index[start]
            if self.turns[k].language != language or not words:
                continue
            mine = cut_loops([replace(w, turn=k) for w in words])
            self.found += mine
            gaps += self._uncovered(k, mine)
            done.add(k)
        return done, gaps

    def _chunks(self, done: set[int]) -> list[Chunk]:
        """The turns not yet transcribed, packed; a transcribed turn ends a chunk (its audio is
        never decoded twice)."""
        chunks, run = [], []
        for k, turn in enumerate(self.turns):
            if k in done:
                chunks += pack(run, CHUNK_SECONDS) if run else []
                run = []
            else:
                run.append(turn)
        return chunks + (pack(run, CHUNK_SECONDS) if run else [])

    # -- decoding ------------------------------------------------------------------------------

    def _window(self, chunk: Chunk) -> tuple[float, float]:
        """The stretch of the recording a chunk is decoded from: its turns with up to MARGIN of the
        pauses around them (Whisper does better with a moment of lead-in), never reaching the
        middle of a pause to another turn, never over 30 s."""
        first, last = self._index[chunk.turns[0].start], self._index[chunk.turns[-1].start]
        before = self.turns[first - 1].end if first > 0 else 0.0
        after = self.turns[last + 1].start if last + 1 < len(self.turns) else self.source.duration
        room = max(0.0, (WINDOW_SECONDS - (chunk.end - chunk.start)) / 2)
        return (max(0.0, chunk.start - min(MARGIN, (chunk.start - before) / 2, room)),
                min(self.source.duration, chunk.end + min(MARGIN, (after - chunk.end) / 2, room)))

    def _words(self, chunk: Chunk, timed) -> list[Found]:
        """Words at their place in the recording, each given to the turn it falls in."""
        out = []
        origin = self._window(chunk)[0]
        for w in merge_punctuation(timed):
            start, end = origin + w.start, origin + w.end
            middle = (start + max(end, start)) / 2
            turn = min(chunk.turns, key=lambda t: 0.0 if t.start <= middle <= t.end
                       else min(abs(middle - t.start), abs(middle - t.end)))
            start = min(max(start, turn.start), turn.end)      # the alignment may stretch a word over a pause
            out.append(Found(start, min(max(end, start), turn.end), w.text, w.probability,
                             self._index[turn.start]))
        return out

    def _uncovered(self, turn_index: int, words: Sequence[Found]) -> list[Stretch]:
        """Stretches of a turn that no word covers: all of it, or gaps of RETRY_GAP and more."""
        turn = self.turns[turn_index]
        mine = sorted((w for w in words if w.turn == turn_index), key=lambda w: w.start)
        if not mine:
            return [Stretch(turn_index, turn.start, turn.end, turn.language)]
        out, reached = [], turn.start
        for w in [*mine, None]:
            start = w.start if w else turn.end
            if start - reached >= RETRY_GAP:
                out.append(Stretch(turn_index, max(turn.start, reached - RETRY_PAD),
                                   min(turn.end, start + RETRY_PAD), turn.language))
            if w:
                reached = max(reached, min(w.end, w.start + MAX_WORD))
        return out

    def _seconds(self, chunk: Chunk) -> float:
        """The window length a chunk is encoded at: 30 s, or its own rounded up to WINDOW_STEP."""
        if not WINDOW_STEP:
            return WINDOW_SECONDS
        a, b = self._window(chunk)
        return min(WINDOW_SECONDS, WINDOW_STEP * -(-(b - a + 0.5) // WINDOW_STEP))

    def _decode_chunks(self, chunks: list[Chunk]) -> list[Stretch]:
        gaps: list[Stretch] = []
        for seconds, batch in _schedule(chunks, BATCH, self._seconds):
            encoded = self.engine.encode([self.source.read(*self._window(c)) for c in batch], seconds=seconds)
            self.stats["encoded"] += len(batch)
            ready = list(enumerate(batch))
            hyps = decode_with_fallback(self.engine, encoded,
                                        [Request(i, c.language, max_tokens=token_limit(seconds))
                                         for i, c in ready])
            timed = self.engine.align(encoded, [Alignment(i, c.language, h.tokens,
                                                          self._window(c)[1] - self._window(c)[0])
                                                for (i, c), h in zip(ready, hyps, strict=True) if h])
            timed_iter = iter(timed)
            for (_, chunk), h in zip(ready, hyps, strict=True):
                words = cut_loops(self._words(chunk, next(timed_iter))) if h else []
                self.found += words
                for k in range(self._index[chunk.turns[0].start], self._index[chunk.turns[-1].start] + 1):
                    gaps += self._uncovered(k, words)
                self.stats["chunks"] += 1
                self.done += chunk.end - chunk.start
            self.progress(min(self.done, self.source.duration))
        return gaps

    def _retry(self, stretches: list[Stretch]) -> None:
        """Decode each uncovered stretch on its own; keep what is new; report what stays empty."""
        size = batch_size(WINDOW_SECONDS)          # retries are encoded at 30 s
        for i in range(0, len(stretches), size):
            batch = stretches[i:i + size]
            encoded = self.engine.encode([self.source.read(s.start, s.end) for s in batch])
            self.stats["encoded"] += len(batch)
            self.stats["retried"] += len(batch)
            hyps = decode_with_fallback(self.engine, encoded, [
                Request(k, s.language, max_tokens=token_limit(s.end - s.start)) for k, s in enumerate(batch)],
                always=True)
            kept = [(k, s, h) for k, (s, h) in enumerate(zip(batch, hyps, strict=True)) if h]
            timed = self.engine.align(encoded, [Alignment(k, s.language, h.tokens, s.end - s.start)
                                                for k, s, h in kept])
            echoed = set()
            for (_, s, _h), words in zip(kept, timed, strict=True):
                turn = self.turns[s.turn]
                new = [Found(min(max(s.start + w.start, turn.start), turn.end),
                             min(max(s.start + w.end, s.start + w.start, turn.start), turn.end), w.text,
                             w.probability, s.turn) for w in merge_punctuation(words)]
                if new and is_echo(new, self.found, s.start, s.end):
                    echoed.add(s)              # the chunk had these words, timed elsewhere: covered
                elif new:
                    self.found += cut_loops(new)
                    self.stats["recovered"] += 1
            for s in batch:                    # what is still uncovered is reported
                if s in echoed:
                    continue
                for left in self._uncovered(s.turn, self.found):
                    a, b = max(left.start, s.start), min(left.end, s.end)
                    if b - a >= min(RETRY_GAP, s.end - s.start) - 1e-6:
                        self.untranscribed.append((round(a, 2), round(b, 2)))

    # -- segments ------------------------------------------------------------------------------

    def _pause(self, last: Found, word: Found) -> float:
        """Silence between two words: between their turns by the VAD (the alignment gives a word's
        end where the next one starts, so inside a chunk word times show no pauses)."""
        if word.turn != last.turn:
            return max(0.0, self.turns[word.turn].start - self.turns[last.turn].end)
        k = bisect.bisect_left(self.pauses, (last.start, 0.0))
        between = [b - a for a, b in self.pauses[k:k + 4] if last.start < (a + b) / 2 < word.start + 0.1]
        return max(between, default=max(0.0, word.start - last.end))

    def _snap(self, words: list[Found]) -> list[Found]:
        """Word times against the VAD's pauses: the alignment gives each word the time up to the
        next one, so a word before a pause seems to last through it; it ends where the pause
        starts, and the next word starts where it ends (captions, and the pauses later stages read)."""
        out = list(words)
        for i in range(len(out) - 1):
            w, nxt = out[i], out[i + 1]
            if w.turn != nxt.turn:
                continue
            k = bisect.bisect_left(self.pauses, (w.start, 0.0))
            for a, b in self.pauses[k:k + 3]:
                if w.start + 0.05 < a and b < nxt.end - 0.05 and a < nxt.start + 0.3:
                    out[i] = replace(w, end=min(w.end, a))
                    out[i + 1] = replace(nxt, start=max(nxt.start, min(b, nxt.end - 0.05)))
                    break
        return out

    def _segments(self) -> list[Segment]:
        """Sentences, as later stages want them (each segment is translated on its own): a segment
        ends at a sentence's end, at a change of language, at a pause of SEGMENT_PAUSE, or at
        MAX_SEGMENT, where a turn starts with a capital after a word that ends no clause (Whisper
        left out the full stop), or at a pause after a clause once the segment is long (as Whisper's
        own segments do); a short pause between two turns inside a sentence does not end it."""
        words = correct_names(self._snap(sorted(self.found, key=lambda w: w.start)), self.hotwords)
        segments, current = [], []
        for w in [*words, None]:
            if current and w is not None and _new_sentence(current[-1], w) and \
                    not current[-1].text.strip().endswith(SENTENCE_END):
                # the sentence broke off (Whisper wrote no full stop): say so, so that later stages
                # (sentence splitting for summaries, translation) do not run it into the next one
                current[-1] = replace(current[-1], text=current[-1].text.rstrip(",;:") + "...")
            if current and (w is None or self.turns[w.turn].language != self.turns[current[-1].turn].language
                            or self._pause(current[-1], w) > SEGMENT_PAUSE
                            or (current[-1].text.strip().endswith((",", ";", ":"))
                                and self._pause(current[-1], w) >= CLAUSE_PAUSE
                                and current[-1].end - current[0].start >= CLAUSE_AFTER)
                            or (current[-1].text.strip().endswith(SENTENCE_END)
                                and (current[-1].end - current[0].start >= 1.0
                                     or current[-1].text.endswith("...")))
                            or w.end - current[0].start > MAX_SEGMENT):
                segments.append(_segment(current, self.turns[current[0].turn].language))
                current = []
            if w is not None:
                current.append(w)
        return [s for s in segments if s.text]

    def run(self) -> Transcript:
        duration = self.source.duration
        started = time.perf_counter()
        probs = speech_probabilities(self.source)
        self.turns = turns_from_probabilities(probs, duration)
        self.pauses = pauses_from_probabilities(probs)
        voice_activity = [[t.start, t.end] for t in turns_from_probabilities(probs, duration, FAINT_ONSET,
                                                                              FAINT_OFFSET)]
        self.stats["vad"] = time.perf_counter() - started
        fixed = self.language != "auto"
        if fixed:
            self.turns = [replace(t, language=self.language, probability=1.0) for t in self.turns]
        elif self.turns:
            self.turns = self._languages(self.turns)
        self._index = {t.start: k for k, t in enumerate(self.turns)}
        done, gaps = self._take_decided()
        chunks = self._chunks(done)
        gaps += self._decode_chunks(chunks) if chunks else []
        self._retry([g for g in gaps if g.end - g.start >= MIN_SPEECH])
        main = self.language if fixed else (main_language(self.turns) or "en")
        extra = {"speech_turns": [[t.start, t.end, t.language] for t in self.turns],
                 "voice_activity": voice_activity,
                 "untranscribed": sorted([list(u) for u in set(self.untranscribed)])}
        self.progress(duration)
        return Transcript(main, duration, tuple(self._segments()), self.engine.name, self.engine.model,
                          extra=extra)


def _new_sentence(last: Found, word: Found) -> bool:
    """A new turn whose first word is capitalised after a word that ends no clause: "...and it's
    like" | "Ladies and gentlemen" is a new sentence; "fellow Americans," | "ask not" is not."""
    first = word.text.strip()
    return (word.turn != last.turn and first[:1].isupper() and first not in ("I", "I'm", "I'll", "I've")
            and not last.text.strip().endswith((",", ";", ":", "-")))


def _segment(words: list[Found], language: str) -> Segment:
    text = "".join(w.text for w in words).strip()
    kept = tuple(Word(round(w.start, 3), round(w.end, 3), w.text.strip(), round(w.probability, 3))
                 for w in words if w.text.strip())
    start = round(min(w.start for w in words), 3)
    end = round(max(start + 0.01, max(w.end for w in words)), 3)
    return Segment(start, end, text, language, kept or None)


def transcribe_source(engine: Engine, source, language: str = "auto", hotwords: Sequence[str] = (),
                      progress: Progress = lambda s: None, stats: dict | None = None) -> Transcript:
    driver = Driver(engine, source, language, hotwords, progress)
    transcript = driver.run()
    if stats is not None:
        stats.update(driver.stats)
    return transcript

