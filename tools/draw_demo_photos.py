#!/usr/bin/env python3
"""Draw the demo's honour-roll photos into tools/demo_photos/ (run once; the files are committed).

    .venv/bin/python tools/draw_demo_photos.py

tools/make_demo_data.py copies these files into data/ beside the commendations that name them, so the demo
stays byte-for-byte reproducible whatever Pillow version is installed later. They are drawings, not photos of
anyone: a sky, a field in rows, a building with a red flag. Like a phone's picture, each carries EXIF
metadata — an invented camera, owner and GPS position in the 第十九师 area — so the demo shows that the
built site's copies have none of it.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().with_name("demo_photos")
SCENES = [  # (sky, field, building, seed)
    ((120, 170, 220), (70, 140, 60), (235, 230, 220), 1),
    ((150, 190, 230), (200, 190, 120), (225, 215, 200), 2),
    ((110, 160, 210), (90, 150, 90), (240, 236, 226), 3),
]


def draw(sky: tuple[int, int, int], field: tuple[int, int, int], wall: tuple[int, int, int], seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (960, 720), sky)
    pen = ImageDraw.Draw(image)
    for y in range(0, 300, 4):  # the sky lighter towards the horizon
        shade = tuple(min(255, c + y // 6) for c in sky)
        pen.rectangle((0, y, 960, y + 4), fill=shade)
    for _ in range(5):  # clouds
        x, y = rng.randrange(0, 900), rng.randrange(20, 200)
        pen.ellipse((x, y, x + rng.randrange(80, 180), y + rng.randrange(25, 50)), fill=(245, 245, 248))
    pen.polygon([(0, 330), (240, 270), (480, 320), (720, 260), (960, 310), (960, 420), (0, 420)], fill=(130, 140, 150))  # mountains
    pen.rectangle((0, 400, 960, 720), fill=field)
    for i in range(14):  # rows of the field, towards the horizon
        x = -600 + i * 160
        pen.line([(480, 400), (x, 720)], fill=tuple(max(0, c - 35) for c in field), width=6)
    left = rng.randrange(80, 520)
    pen.rectangle((left, 250, left + 320, 420), fill=wall, outline=(120, 110, 100), width=3)  # the building
    pen.polygon([(left - 20, 250), (left + 160, 190), (left + 340, 250)], fill=(170, 40, 40))  # its roof
    for j in range(4):
        pen.rectangle((left + 25 + j * 75, 290, left + 70 + j * 75, 340), fill=(90, 120, 150))  # windows
    pen.rectangle((left + 135, 350, left + 185, 420), fill=(110, 80, 60))  # the door
    pole = left + 360
    pen.line([(pole, 140), (pole, 420)], fill=(80, 80, 80), width=5)
    pen.rectangle((pole + 3, 145, pole + 93, 205), fill=(200, 20, 20))  # the flag
    pen.polygon([(pole + 15, 158), (pole + 20, 170), (pole + 10, 163), (pole + 21, 163), (pole + 11, 170)], fill=(255, 215, 0))
    return image


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for i, (sky, field, wall, seed) in enumerate(SCENES, 1):
        exif = Image.Exif()
        exif[0x010F], exif[0x0110] = "DemoPhone", "DemoPhone 11"  # Make, Model
        exif[0x013B] = "Demo Photographer"  # Artist
        exif[0x0132] = f"2011:06:1{i} 10:2{i}:00"  # DateTime
        gps = exif.get_ifd(0x8825)
        gps.update({1: "N", 2: (42.0, 48.0, 10.0 + i), 3: "E", 4: (93.0, 30.0, 5.0 + i)})  # invented, near 哈密
        draw(sky, field, wall, seed).save(OUT / f"unit-{i}.jpg", "JPEG", quality=82, exif=exif)
        print(OUT / f"unit-{i}.jpg")


if __name__ == "__main__":
    main()
