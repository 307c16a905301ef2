"""Character spans to token masks through a tokenizer's offsets.

Token `i` covers characters `[s_i, e_i)` of the text it was cut from (a fast tokenizer's
`offset_mapping`, in Python string indices, i.e. code points). It is in the mask when that range
overlaps a span: `s_i < end and e_i > start`. A span of a masked line includes its line break, so
a token that glues a line end to the next line is in the mask when either line is; a zero-width
token (a BOS the tokenizer added) overlaps nothing. This is the kit's own rule (lib/diff), so both
sides mask the same tokens of the same text.
"""

from __future__ import annotations


def focal_token_mask(offsets, spans, shift: int = 0) -> list[int]:
    """0/1 per token: 1 when the token's `[start, end)` overlaps one of `spans` moved by `shift`."""
    moved = [(a + shift, b + shift) for a, b in spans]
    return [1 if any(s < b and e > a for a, b in moved) else 0 for s, e in offsets]
