"""Download file names a person can read (RFC 6266): every download answers with the Chinese name in
`filename*=UTF-8''…` and an ASCII fallback in `filename="…"` for the few clients that ignore `filename*`.

    response = HttpResponse(content, content_type=XLSX)
    return attachment(response, "欠费账龄_锦华苑_2026-12-02.xlsx")

Django's `FileResponse(filename=…)` writes only one of the two forms, so every download view, whatever its
response class, goes through `attachment` (PDFs shown in the browser pass `inline=True`).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.http import HttpResponseBase

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')
_NON_ASCII = re.compile(r"[^\x20-\x7e]+")


def clean_filename(filename: str) -> str:
    """The name without path separators, quotes or control characters (they break headers or save dialogs)."""
    name = _UNSAFE.sub("_", filename).strip(" ._") or "download"
    return name


def ascii_fallback(filename: str) -> str:
    """收据_JH-2026-000123.pdf → JH-2026-000123.pdf; a name with no ASCII left keeps only its extension."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    stem = _NON_ASCII.sub("_", stem)
    stem = re.sub(r"_+", "_", stem).strip(" _-.") or "download"
    ext = _NON_ASCII.sub("", ext)
    return f"{stem}.{ext}" if ext else stem


def content_disposition(filename: str, *, inline: bool = False) -> str:
    name = clean_filename(filename)
    fallback = ascii_fallback(name).replace("\\", "\\\\").replace('"', '\\"')
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment(response: HttpResponseBase, filename: str, *, inline: bool = False) -> HttpResponseBase:
    """Set `response`'s Content-Disposition to `filename` (both RFC 6266 forms) and return the response."""
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response


def download_name(*parts, ext: str) -> str:
    """The file name of a download from its parts, joined by "_" (empty parts left out): ("收据", "JH-2026-000123")
    and "pdf" → 收据_JH-2026-000123.pdf. Documents keep Chinese names whatever the UI language, as their text."""
    return "_".join(str(part) for part in parts if part not in (None, "")) + f".{ext}"
