"""English for the pad and guide console (Chinese is the source text; see hallq.i18n)."""

from __future__ import annotations

from hallq.i18n import add_english

add_english({
})
