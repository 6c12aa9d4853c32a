"""Photos beside records (a commendation's `photo`): which file a photo names, and whether cxzy can use it.

A photo is written relative to the folder of the data file that names it and must stay inside the data
folder: no absolute path, no `..`, no backslash, nothing reached through a symbolic link. It is a regular
file of at most `MAX_BYTES` that Pillow reads to the end as a JPEG, PNG or WebP image of at most
`MAX_PIXELS` pixels. The site never shows the file itself: `site/photos.py` makes a smaller copy without
its metadata.
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from cxzy_gen.records import layout
from cxzy_gen.records import models as m

SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel camera's picture; more is a mistake or a decompression bomb
_DRIVE = re.compile(r"^[A-Za-z]:")
HINT = "写相对于本文件所在文件夹的路径，如 photos/zhang-san.jpg，照片放在数据文件夹里"


def folder_of(root: Path, record: m.Record) -> Path:
    """The folder of the data file that holds `record`: units/<unit>/ or units/<unit>/<year>/."""
    folder = root / layout.unit_dir(record.folder_unit)
    return folder / str(record.folder_year) if record.folder_year is not None else folder


def photo_file(root: Path, record: m.Record, photo: str) -> Path:
    """The file a (checked) `photo` of `record` names."""
    return folder_of(root, record).joinpath(*photo.split("/"))


def photo_problem(root: Path, record: m.Record, photo: str) -> str | None:
    """Why `photo` (as written in `record`) cannot be shown, in Chinese; None when it is a usable image."""
    shown = photo if len(photo) <= 80 else photo[:80] + "…"
    if "\\" in photo or photo.startswith(("/", "~")) or _DRIVE.match(photo):
        return f"照片（photo）路径「{shown}」不能是绝对路径，也不能用反斜杠（\\）：{HINT}"
    parts = photo.split("/")
    if any(part in {"", ".", ".."} for part in parts):
        return f"照片（photo）路径「{shown}」不能含 ..、. 或空的一段，照片不能在数据文件夹以外：{HINT}"
    if any(ord(ch) < 0x20 or ch in '*?"<>|:' for ch in photo):
        return f"照片（photo）路径「{shown}」含有不能用在文件名里的字符：{HINT}"
    if not photo.lower().endswith(SUFFIXES):
        return f"照片（photo）「{shown}」应为 JPEG、PNG 或 WebP 图片（扩展名 .jpg、.jpeg、.png 或 .webp）"
    path = photo_file(root, record, photo)
    where = path.relative_to(root).as_posix()
    real_root = os.path.realpath(root)
    if path.is_symlink() or os.path.commonpath([real_root, os.path.realpath(path)]) != real_root:
        return f"照片（photo）「{where}」经符号链接指到了数据文件夹以外：{HINT}"
    try:
        st = path.stat()
    except OSError:
        return f"照片（photo）：找不到文件「{where}」（提示：路径相对于本文件所在的文件夹，注意大小写和扩展名）"
    if not stat.S_ISREG(st.st_mode):
        return f"照片（photo）「{where}」不是普通文件（文件夹、管道或设备），未读取"
    if st.st_size > MAX_BYTES:
        return (
            f"照片（photo）「{where}」有 {st.st_size / 1024 / 1024:.1f} MB，最多 {MAX_BYTES // 1024 // 1024} MB（提示：先用看图软件缩小）"
        )
    return image_problem(path, where)


def image_problem(path: Path, where: str) -> str | None:
    """Why the file is not a JPEG, PNG or WebP image that can be read to the end, in Chinese; None when it is."""
    unreadable = f"照片（photo）「{where}」不是可以读取的图片：文件已损坏，或者只是改了扩展名（提示：用看图软件打开后另存为 JPEG）"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format not in FORMATS:
                    return f"照片（photo）「{where}」是 {image.format} 格式，只能用 JPEG、PNG 或 WebP（提示：用看图软件另存为 JPEG）"
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return f"照片（photo）「{where}」有 {width}×{height} 像素，超过 {MAX_PIXELS // 1_000_000} 百万像素（提示：先缩小）"
                image.load()  # decode it all: a truncated or corrupt file fails here, not in the middle of a build
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        return unreadable
    except (OSError, SyntaxError, ValueError, EOFError):
        return unreadable
    return None
