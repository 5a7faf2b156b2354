"""The one CSV writer every export uses: a cell that a spreadsheet would read as a formula is
written as text.

A cell starting with = + - @, a tab or a carriage return can run as a formula when the file is
opened in Excel, LibreOffice or Google Sheets (`=HYPERLINK(...)` in a trade typed at the door).
OWASP's advice: put a single quote in front, which spreadsheets show as text. Numbers (and text
that is only a plain number, like "-3" or "12.5") are left alone so figures stay readable: a
plain number cannot be a formula.
"""

import csv
import io
import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = str(value)
        if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
            return "'" + text
        return text
    return value


def csv_text(rows: Iterable[Iterable]) -> str:
    """The rows as CSV text, every cell made safe to open in a spreadsheet."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
