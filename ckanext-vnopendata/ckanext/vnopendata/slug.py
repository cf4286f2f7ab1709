"""URL names (slugs) from Vietnamese text.

Stock CKAN tooling drops every accented letter ("Bộ dữ liệu" becomes
"b-d-liu"); Vietnamese needs the diacritics folded instead, and đ/Đ, which
Unicode does not decompose, mapped to d. The form's URL preview runs the
same rule in JavaScript (assets/slug.js); tests check both agree.
"""

from __future__ import annotations

import re
import unicodedata

# CKAN's name_validator allows 2..100 characters of [a-z0-9_-].
MAX_LENGTH = 100

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Vietnamese text without diacritics: "Đà Nẵng" -> "Da Nang"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str, max_length: int = MAX_LENGTH) -> str:
    """ "Bộ dữ liệu thống kê số 0" -> "bo-du-lieu-thong-ke-so-0"."""
    slug = _NOT_SLUG.sub("-", fold(text).lower()).strip("-")
    return slug[:max_length].rstrip("-")
