"""Checked rows kept compactly until they are written: one integer array per column.

A million registry rows as dicts take about a gigabyte; as arrays of 32-bit integers (village
as an index, date as a day number, counts as themselves, -1 for empty) they take 36 MB. The
duplicate checks work on these arrays with numpy; `dicts` turns a chunk back into rows for the
insert.
"""
from __future__ import annotations

import datetime as dt
from array import array
from typing import Callable, Iterator

import numpy as np

from bulukumba.importer.values import BASIS, DELIVERY, PROGRAMMES, SERVICES, VULNERABLE

EMPTY = -1

#: Stored columns per kind, in insert order, with how each is encoded.
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "registri": (("desa_kode", "desa"), ("tanggal", "date"), ("wajib_ktp", "int"),
                 ("sudah_rekam", "int"), ("wajib_l", "int?"), ("wajib_p", "int?"),
                 ("rekam_l", "int?"), ("rekam_p", "int?")),
    "kegiatan": (("tanggal", "date"), ("mitra_kode", "mitra"), ("desa_kode", "desa"),
                 ("layanan", "layanan"), ("jumlah", "int"), ("cara", "cara"),
                 ("rentan", "rentan")),
    "target": (("program", "program"), ("layanan", "layanan"), ("kecamatan_kode", "kec?"),
               ("kabupaten_kode", "kab?"), ("nilai", "int"), ("mulai", "date"), ("selesai", "date"), ("dasar", "dasar")),
}
_VOCAB_CODES = {"layanan": SERVICES.codes, "cara": DELIVERY.codes, "rentan": VULNERABLE.codes,
                "program": PROGRAMMES.codes, "dasar": BASIS.codes}


def _decoder(encoding: str, places) -> Callable[[int], object]:
    if encoding == "int":
        return int
    if encoding == "int?":
        return lambda v: None if v == EMPTY else v
    if encoding == "date":
        return dt.date.fromordinal
    if encoding == "desa":
        return places.desa_codes.__getitem__
    if encoding == "mitra":
        return places.mitra_codes.__getitem__
    if encoding == "kec?":
        codes = sorted(places.kecamatan)
        return lambda v: None if v == EMPTY else codes[v]
    if encoding == "kab?":
        return lambda v: None if v == EMPTY else places.kabupaten_codes[v]
    return _VOCAB_CODES[encoding].__getitem__


def encoder(encoding: str, places) -> Callable[[object], int]:
    """The opposite of the decoder: a value as the integer stored."""
    if encoding in ("int", "int?"):
        return lambda v: EMPTY if v is None else int(v)
    if encoding == "date":
        return dt.date.toordinal
    if encoding == "desa":
        return places.desa_index.__getitem__
    if encoding == "mitra":
        return {k: i for i, k in enumerate(places.mitra_codes)}.__getitem__
    if encoding == "kec?":
        index = {k: i for i, k in enumerate(sorted(places.kecamatan))}
        return lambda v: EMPTY if v is None else index[v]
    if encoding == "kab?":
        index = {k: i for i, k in enumerate(places.kabupaten_codes)}
        return lambda v: EMPTY if v is None else index[v]
    return {k: i for i, k in enumerate(_VOCAB_CODES[encoding])}.__getitem__


class Records:
    """The clean rows of one file, column by column."""

    def __init__(self, kind: str, places):
        self.kind = kind
        self.names = [name for name, _ in FIELDS[kind]]
        self.encodings = [encoding for _, encoding in FIELDS[kind]]
        self._decoders = [_decoder(e, places) for e in self.encodings]
        self.width = len(self.names)
        self.flat = array("i")          # row after row, `width` integers each
        self.row_numbers = array("i")

    def append(self, baris: int, values: tuple) -> None:
        self.row_numbers.append(baris)
        self.flat.extend(values)

    def __len__(self) -> int:
        return len(self.row_numbers)

    def array(self, name: str) -> np.ndarray:
        """A column as a numpy array (a strided view, no copy)."""
        if not len(self):
            return np.zeros(0, np.int32)
        matrix = np.frombuffer(self.flat, dtype=np.int32).reshape(-1, self.width)
        return matrix[:, self.names.index(name)]

    def rows_at(self) -> np.ndarray:
        return np.frombuffer(self.row_numbers, dtype=np.int32) if len(self) else np.zeros(0, np.int32)

    def dicts(self, start: int = 0, stop: int | None = None) -> Iterator[dict]:
        stop = len(self) if stop is None else min(stop, len(self))
        pairs = list(zip(self.names, self._decoders))
        flat, width = self.flat, self.width
        for i in range(start, stop):
            values = flat[i * width:(i + 1) * width]
            yield {name: decode(v) for (name, decode), v in zip(pairs, values)}

    def chunks(self, size: int = 20_000) -> Iterator[list[dict]]:
        """Rows as dicts, `size` at a time, decoded column by column (the insert's hot loop)."""
        names = self.names
        for columns in self._blocks(size, iso_dates=False):
            yield [dict(zip(names, values)) for values in zip(*columns)]

    def tuples(self, size: int = 20_000, iso_dates: bool = True) -> Iterator[list[tuple]]:
        """Rows as tuples in `names` order, dates as ISO text (for a driver's executemany)."""
        for columns in self._blocks(size, iso_dates=iso_dates):
            yield list(zip(*columns))

    def _blocks(self, size: int, iso_dates: bool) -> Iterator[list[list]]:
        if not len(self):
            return
        matrix = np.frombuffer(self.flat, dtype=np.int32).reshape(-1, self.width)
        for start in range(0, len(self), size):
            block = matrix[start:start + size]
            yield [self._decode_column(block[:, j].tolist(), j, iso_dates) for j in range(self.width)]

    def _decode_column(self, values: list[int], j: int, iso_dates: bool = False) -> list:
        encoding, decode = self.encodings[j], self._decoders[j]
        if encoding == "int":
            return values
        if encoding == "int?":
            return [None if v == EMPTY else v for v in values]
        if encoding == "date" and iso_dates:
            decode = lambda v: dt.date.fromordinal(v).isoformat()  # noqa: E731
        seen: dict[int, object] = {}  # few distinct dates, villages, codes: decode each once
        return [seen[v] if v in seen else seen.setdefault(v, decode(v)) for v in values]


class Listed:
    """A check's records as plain rows and their row numbers: what a worker process hands back
    when the page still uses the rows (a partner's file, sent as its report); plain data only, so
    the server's restricted unpickler takes it."""

    def __init__(self, records: Records):
        self.row_numbers = [int(n) for n in records.rows_at()]
        self.rows = list(records.dicts())

    def __len__(self) -> int:
        return len(self.row_numbers)

    def rows_at(self) -> np.ndarray:
        return np.asarray(self.row_numbers, dtype=np.int32)

    def dicts(self, start: int = 0, stop: int | None = None) -> Iterator[dict]:
        yield from self.rows[start:stop]