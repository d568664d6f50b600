"""SAS XPORT files checked whole before they are read: a truncated or damaged file stops, named.

pyreadstat (ReadStat) reads an XPORT file's rows until the bytes run out and drops a last row cut
short without a word: NHANES's DEMO_B.XPT cut to 60% of its bytes reads as 302 of its 520 rows,
in version 5 and in version 8 alike. So the file's layout is checked first, from SAS's own
description of the format (TS-140, "Record Layout of a SAS Version 5 or 6 Data Set in SAS
Transport (XPORT) Format", and its Version 8 or 9 companion):
- every record is 80 bytes, the last one padded with ASCII blanks: a file's size is a whole
  number of records;
- after the library, member and descriptor headers, the NAMESTR header gives the number of
  variables, and each variable's namestr (140 bytes, 136 on VAX/VMS, as the member header says)
  its length in the row; the rows are the sum of those lengths each, one after another from the
  record after the OBS (v8: OBSV8) header, and after the last whole row only blanks may follow;
- a version 5 file records no row count (its OBS header is zeros); a version 8 file written by SAS
  (and by pyreadstat 1.3.7) gives the count right-justified in the 15 characters after the OBSV8
  header's "!!!!!!!" (SAS's examples show it, its layout table does not: ReadStat issue 316), and
  the rows must then be that many; older ReadStat writes zeros there, which mean no count.
  pyreadstat reads neither the count nor the size: it stops where the bytes do.
A file cut at a boundary that is both a row's and a record's looks whole; for NHANES the SEQNs a
cycle's other files hold and DEMO lacks then show it (nhanes.coverage_warnings).
"""

from __future__ import annotations

import mmap
from pathlib import Path

from ..errors import InputError

RECORD = 80
LIBRARY = {b"LIBRARY ": 5, b"LIBV8   ": 8}
HEADER = b"HEADER RECORD*******"
OBS = {5: b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!", 8: b"HEADER RECORD*******OBSV8   HEADER RECORD!!!!!!!"}
MEMBER = (b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!", b"HEADER RECORD*******MEMBV8  HEADER RECORD!!!!!!!")
NAMESTR_AT = 7 * RECORD  # library header, two library records, member, descriptor, two descriptor records
LABEL_ROOM = 400  # a v8 variable's long name, label and format (LABELV8 / LABELV9) take at most about this


def check_whole(name: str, path: Path | str, fix: str) -> None:
    """Stop, naming the file, when its layout says it is truncated or damaged; `fix`: what to do."""
    problem = damage(path)
    if problem:
        raise InputError(
            f"Dataset '{name}': '{path}' is damaged: {problem}. pyreadstat would read the rows before the damage "
            f"without a word. {fix}"
        )


def damage(path: Path | str) -> str | None:
    """What is wrong with the layout of an XPORT file, in words, or None when it is whole (or not XPORT:
    the reader then says what it is)."""
    size = Path(path).stat().st_size
    with open(path, "rb") as handle:
        if size < NAMESTR_AT + RECORD:
            head = handle.read()
            return _short_header(head, size) if head.startswith(HEADER) else None
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _layout_damage(data, size)


def _short_header(head: bytes, size: int) -> str | None:
    version = LIBRARY.get(head[20:28])
    return None if version is None else f"it ends after {size:,} bytes, within its headers"


def _layout_damage(data: mmap.mmap, size: int) -> str | None:
    version = LIBRARY.get(data[20:28]) if data[:20] == HEADER else None
    if version is None:
        return None
    namestr_size = _number(data[3 * RECORD + 74 : 3 * RECORD + 78])
    variables = _number(data[NAMESTR_AT + 53 : NAMESTR_AT + 58])
    if namestr_size not in (136, 140) or variables is None:
        return "its member or NAMESTR header is not as the format lays it out"
    first = NAMESTR_AT + RECORD
    lengths = [_number_be(data[first + i * namestr_size + 4 : first + i * namestr_size + 6]) for i in range(variables)]
    row = sum(lengths)
    namestrs_end = first + -(-variables * namestr_size // RECORD) * RECORD
    obs = data.find(OBS[version], namestrs_end, namestrs_end + variables * LABEL_ROOM + 3 * RECORD)
    if obs < 0 or (size - obs) < RECORD:
        return f"it ends after {size:,} bytes, before its first row (the {OBS[version][20:28].strip().decode()} header)"
    start = obs + RECORD
    if any(data.find(member, start) >= 0 for member in MEMBER):
        return "it holds more than one data set (SAS member); export each to a file of its own"
    if not row:
        return None  # no variables: nothing to read short
    whole, rest = divmod(size - start, row)
    promised = _number(data[obs + 48 : obs + 63]) if version == 8 else None
    problems = []
    if size % RECORD:
        problems.append(f"its {size:,} bytes are not a whole number of the format's {RECORD}-byte records")
    if rest and data[start + whole * row : size].strip(b" "):
        problems.append(f"its last row is cut short ({rest:,} of the {row:,} bytes a row takes)")
    if promised and not _holds(data, start, size, promised * row):
        problems.append(f"its header promises {promised:,} rows and it holds {whole:,}")
    return "; ".join(problems) or None


def _holds(data: mmap.mmap, start: int, size: int, length: int) -> bool:
    """Whether the rows take `length` bytes from `start`, followed by less than a record of blanks."""
    end = start + length
    return end <= size and size - end < RECORD and not data[end:size].strip(b" ")


def _number(text: bytes) -> int | None:
    try:
        return int(text.decode("ascii").strip() or "x")
    except (UnicodeDecodeError, ValueError):
        return None


def _number_be(two: bytes) -> int:
    return int.from_bytes(two, "big")
