"""Photos on the site: a smaller JPEG copy of each photo a page shows, made at build time with Pillow.

The copy is made from the pixels alone (turned upright by the EXIF orientation first), so nothing of the
original's metadata — EXIF with GPS position, camera and owner, XMP, IPTC, comments, colour profiles — reaches
the site. The same photo always gives the same bytes. The photo itself was checked by validation
(`records/photos.py`): a file inside the data folder that Pillow reads to the end.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageOps

BOX = 480  # pixels: the copy fits a 480×480 square, twice the size it is shown at (sharp on high-density screens)
QUALITY = 82
_SWAPS = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter: width and height change places


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo as a page shows it: where its copy goes in the site, the source file, the copy's size, its text."""

    url: str
    source: Path
    width: int
    height: int
    alt: str


def fit(width: int, height: int) -> tuple[int, int]:
    """The copy's size: the upright picture scaled down (never up) to fit the box."""
    scale = min(1.0, BOX / width, BOX / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def photo(url: str, source: Path, alt: str) -> Photo:
    """The page's view of a photo, from the file's header only (the pixels are read when the copy is written)."""
    with Image.open(source) as image:
        width, height = image.size
        if image.getexif().get(ExifTags.Base.Orientation) in _SWAPS:
            width, height = height, width
    return Photo(url, source, *fit(width, height), alt)


def copy(source: Path) -> bytes:
    """The site's copy of a photo: upright, within the box, white behind any transparency, JPEG, no metadata."""
    with Image.open(source) as image:
        turned = image.getexif().get(ExifTags.Base.Orientation) in _SWAPS
        width, height = (image.size[1], image.size[0]) if turned else image.size
        size = fit(width, height)
        image.draft("RGB", (size[1], size[0]) if turned else size)  # JPEG: decode at a smaller scale when it can
        upright = ImageOps.exif_transpose(image)
        rgba = upright.convert("RGBA")
    pixels = Image.new("RGB", rgba.size, "white")
    pixels.paste(rgba, mask=rgba.getchannel("A"))
    small = pixels.resize(size, Image.Resampling.LANCZOS) if pixels.size != size else pixels
    clean = Image.frombytes("RGB", small.size, small.tobytes())  # pixels only: no info, no EXIF, no profile
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()
