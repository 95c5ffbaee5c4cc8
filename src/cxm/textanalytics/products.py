"""Mentions of catalogue products and models ("Modell X") in free text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from cxm.textanalytics.domain import ProductMention


def _surface_pattern(name: str) -> str:
    parts = [p for p in re.split(r"[\s\-_/]+", name.strip()) if p]
    pieces = []
    for i, p in enumerate(parts):
        piece = re.escape(p)
        # German genitive/plural on a leading word: "des Modells X", "Routern".
        if i < len(parts) - 1 and p[-1:].isalpha():
            piece += r"(?:s|es|n)?"
        pieces.append(piece)
    return r"[\s\-_/]*".join(pieces)


class ProductCatalogue:
    """Finds catalogue names (and their aliases) in text, case-insensitively, whole words only."""

    def __init__(self, products: Iterable[str] | Mapping[str, Sequence[str]] = ()) -> None:
        entries: list[tuple[str, str]] = []
        if isinstance(products, Mapping):
            for name, aliases in products.items():
                entries.append((name, name))
                entries.extend((name, a) for a in aliases)
        else:
            entries.extend((name, name) for name in products)
        entries = [(n, s) for n, s in entries if s.strip()]
        # Longest surface first, so "Modell X Pro" wins over "Modell X".
        entries.sort(key=lambda e: -len(e[1]))
        self.names: tuple[str, ...] = tuple(dict.fromkeys(n for n, _ in entries))
        self._canonical: list[str] = [n for n, _ in entries]
        self._pattern: re.Pattern[str] | None = None
        if entries:
            alternatives = "|".join(
                f"(?P<p{i}>{_surface_pattern(s)})" for i, (_, s) in enumerate(entries)
            )
            self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def __len__(self) -> int:
        return len(self.names)

    def find(self, text: str) -> tuple[ProductMention, ...]:
        """Each mention with its catalogue name and character span."""
        if self._pattern is None:
            return ()
        out: list[ProductMention] = []
        for m in self._pattern.finditer(text):
            idx = int(m.lastgroup[1:]) if m.lastgroup else 0
            out.append(ProductMention(self._canonical[idx], m.group(0), m.start(), m.end()))
        return tuple(out)
