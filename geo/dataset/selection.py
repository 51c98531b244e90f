"""Offsets between a browser's text selection and the stored article text.

Citations count code points of the stored article (the text that is hashed), newlines as stored.
A browser counts UTF-16 code units of the *rendered* text, where HTML parsing has turned CR LF and
lone CR into LF, and where a character outside the Basic Multilingual Plane (an emoji, a rare CJK
ideograph) takes two units. These functions convert both ways, so "new event from a selection" gets
an exact span and a draft's span can be highlighted in the page.
"""

from __future__ import annotations

from bisect import bisect_left


def rendered(stored: str) -> str:
    """The text as a browser holds it after parsing: CR LF and lone CR become LF.

    Examples
    --------
    >>> rendered("a\\r\\nb\\rc")
    'a\\nb\\nc'
    """
    return stored.replace("\r\n", "\n").replace("\r", "\n")


def utf16_boundaries(stored: str) -> list[int]:
    """UTF-16 offset in the rendered text of each code-point boundary of `stored` (length n + 1).

    Examples
    --------
    >>> utf16_boundaries("a\\r\\n😀b")
    [0, 1, 1, 2, 4, 5]
    """
    out = [0]
    pos = 0
    n = len(stored)
    for i, ch in enumerate(stored):
        if ch == "\r" and i + 1 < n and stored[i + 1] == "\n":
            width = 0  # the pair renders as one LF, counted on the LF
        else:
            width = 2 if ord(ch) > 0xFFFF else 1
        pos += width
        out.append(pos)
    return out


def selection_to_span(stored: str, start16: int, end16: int) -> tuple[int, int]:
    """Code-point span of `stored` for a selection given in UTF-16 units of the rendered text.

    A boundary inside a surrogate pair widens the span to the whole character; a span starting at
    a line break includes its CR.

    Parameters
    ----------
    stored : str
        The stored article text.
    start16, end16 : int
        The selection's UTF-16 offsets in the rendered text (as `Range` offsets over the text).

    Returns
    -------
    tuple of int
        (start, end) code-point offsets into `stored`.

    Raises
    ------
    ValueError
        When the offsets are reversed, negative or beyond the text.

    Examples
    --------
    >>> text = "Hi 😀\\r\\nKursk"
    >>> s, e = selection_to_span(text, 6, 11)
    >>> text[s:e]
    'Kursk'
    """
    bounds = utf16_boundaries(stored)
    total = bounds[-1]
    if not (isinstance(start16, int) and isinstance(end16, int)) or not 0 <= start16 <= end16 <= total:
        raise ValueError(f"selection {start16}-{end16} is outside the text ({total} UTF-16 units)")
    i = bisect_left(bounds, start16)
    start = i if bounds[i] == start16 else i - 1  # inside a surrogate pair: take the whole character
    end = bisect_left(bounds, end16)
    return start, end


def span_to_utf16(stored: str, start: int, end: int) -> tuple[int, int]:
    """UTF-16 offsets in the rendered text of a code-point span of `stored` (to highlight it).

    Examples
    --------
    >>> span_to_utf16("😀\\r\\nab", 3, 5)
    (3, 5)
    """
    if not 0 <= start <= end <= len(stored):
        raise ValueError(f"span {start}-{end} is outside the text ({len(stored)} characters)")
    bounds = utf16_boundaries(stored)
    return bounds[start], bounds[end]
