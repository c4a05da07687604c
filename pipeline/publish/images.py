"""Image size from the file's own header (PNG and JPEG), so artwork rules need no imaging library."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers that carry the size (not DHT C4, JPG C8, DAC CC).
SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True)
class ImageInfo:
    kind: str          # "png" or "jpeg"
    width: int
    height: int

    @property
    def mime(self) -> str:
        return f"image/{self.kind}"


def image_info(path: Path) -> ImageInfo | None:
    """Kind and pixel size, or None when the file is neither PNG nor JPEG (or is cut short)."""
    data = Path(path).read_bytes()
    if data.startswith(PNG_MAGIC) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return ImageInfo("png", width, height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_info(data)
    return None


def _jpeg_info(data: bytes) -> ImageInfo | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:            # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:   # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if marker in SOF_MARKERS:
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return ImageInfo("jpeg", width, height)
        if marker == 0xDA:            # start of scan before any frame header: broken file
            return None
        pos += 2 + length
    return None
