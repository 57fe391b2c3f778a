"""What the data-entry workbook's readers ask of an openpyxl sheet, without making cells."""
from __future__ import annotations


def cells(sheet):
    """The cells a sheet holds (openpyxl's own record: asking for a cell would make one)."""
    return sheet._cells.values()


def last_row(sheet) -> int:
    """The last row with something typed in it. openpyxl's max_row also counts cells that
    only carry a style: one styled cell at Excel's last row would make 1,048,576 rows."""
    return max((cell.row for cell in cells(sheet) if cell.value not in (None, "")), default=0)
