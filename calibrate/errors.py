"""CalibrationError: a log that cannot be read, or a fit that cannot be made.

Messages say where and what: ``january.txt: row 17, column q_time must be a whole number of
seconds, got 'abc'``. ``row`` counts lines of the file from 1 (the header is row 1).
"""

from __future__ import annotations


class CalibrationError(ValueError):
    """A call log or interval report that cannot be used, or a fit without enough data.

    Parameters
    ----------
    message : str
        What is wrong, as ``<name> must be <constraint>, got <value>``.
    file : str, optional
        The file concerned.
    row : int, optional
        Line number in that file (the header is row 1).
    column : str, optional
        Column name as written in the file.
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None):
        self.file, self.row, self.column = file, row, column
        where = [part for part in (file, None if row is None else f"row {row}") if part]
        prefix = ", ".join(where)
        text = message if column is None or message.startswith(column) else f"{column} {message}"
        super().__init__(f"{prefix}: {text}" if prefix else text)
