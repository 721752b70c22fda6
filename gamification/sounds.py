"""The lesson's sound effects, synthesised: a right answer, a wrong answer, a lesson complete.

The waveforms are made here in Python (sine notes with a short attack and an exponential decay, 22,050
Hz mono, 16-bit), so the repository can regenerate the shipped files exactly: ``manage.py
make_sound_effects`` writes ``static/sounds/<name>.wav`` (not kept), encodes it with ``lame`` (MP3) and
``oggenc`` (Ogg Vorbis, fixed stream serial) and keeps the two encodings. Pages play them only when the
learner's "Sound effects" setting is on (``templates/base.html``).
"""

import io
import math
import struct
import wave

RATE = 22_050

#: name → notes (start seconds, duration seconds, frequency Hz, loudness 0-1); the effects are short.
EFFECTS: dict[str, list[tuple[float, float, float, float]]] = {
    # Two quick rising notes (E5, A5).
    "correct": [(0.0, 0.12, 659.25, 0.5), (0.09, 0.22, 880.0, 0.5)],
    # Two low falling notes (D#4, A3), a little louder in the harmonics.
    "wrong": [(0.0, 0.16, 311.13, 0.45), (0.13, 0.26, 220.0, 0.45)],
    # A rising C major arpeggio ending on a held chord.
    "complete": [
        (0.0, 0.16, 523.25, 0.4),
        (0.12, 0.16, 659.25, 0.4),
        (0.24, 0.16, 783.99, 0.4),
        (0.36, 0.7, 1046.5, 0.35),
        (0.36, 0.7, 659.25, 0.25),
        (0.36, 0.7, 783.99, 0.25),
    ],
}

ATTACK = 0.008  # seconds of fade-in (no click)
DECAY = 7.0  # exponential decay rate per second


def samples(name: str) -> list[float]:
    """The effect's waveform, -1 … 1."""
    notes = EFFECTS[name]
    length = max(start + duration for start, duration, _, _ in notes)
    out = [0.0] * (int(length * RATE) + 1)
    for start, duration, freq, loud in notes:
        first = int(start * RATE)
        for i in range(int(duration * RATE)):
            t = i / RATE
            envelope = min(1.0, t / ATTACK) * math.exp(-DECAY * t) * min(1.0, (duration - t) / 0.02)
            phase = 2 * math.pi * freq * t
            # The fundamental and a quieter octave: a soft, bell-like tone.
            out[first + i] += loud * envelope * (math.sin(phase) + 0.25 * math.sin(2 * phase))
    peak = max(abs(s) for s in out) or 1.0
    return [0.9 * s / peak for s in out]


def wav_bytes(name: str) -> bytes:
    """The effect as a 16-bit mono WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(b"".join(struct.pack("<h", round(s * 32767)) for s in samples(name)))
    return buffer.getvalue()
