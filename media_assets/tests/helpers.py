"""Helpers for the media tests."""

import io
import math
import struct
import wave
from pathlib import Path


def wav_bytes(*, seconds: float = 0.5, rate: int = 16000, hz: float = 440.0, channels: int = 1) -> bytes:
    frames = bytearray()
    for i in range(int(seconds * rate)):
        sample = struct.pack("<h", int(9000 * math.sin(2 * math.pi * hz * i / rate)))
        frames += sample * channels
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return out.getvalue()


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
