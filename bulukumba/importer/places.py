"""Villages, kecamatan and partners as the store knows them, and finding them by what a file says.

A village without a code is found by its name: case, spacing and the "Desa"/"Kel." prefixes do
not matter, and a spelling slip of one letter (two in a long name) is forgiven when exactly one
village of the kecamatan is that close ("Bonto" -> "Bontoa"). Without a kecamatan a name must be
unique in the whole regency, exactly. Every match by name is reported to the operator (which row,
which code) before anything is saved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from bulukumba.storage import reference, store
from bulukumba.language import texts
from bulukumba.importer.headers import edit_distance
from bulukumba.importer.values import DESA_PREFIX, KEC_PREFIX, desa_code, kecamatan_code, key, show, strip_prefix


def _bare_regency(nama: str) -> str:
    """'Kabupaten Bulukumba', 'Kab. Bulukumba' -> 'Bulukumba'."""
    return re.sub(r"^(kabupaten|kab\.?|kota)\s+", "", nama.strip(), flags=re.IGNORECASE)


def _regency_spellings(nama: str) -> list[str]:
    """The keys of a regency's name as operators write it: 'Bulukumba', 'Kabupaten Bulukumba',
    'Kab. Bulukumba', 'Kota Bulukumba'."""
    bare = _bare_regency(nama)
    return [key(f"{word} {bare}".strip()) for word in ("", "Kabupaten", "Kab", "Kota")] if bare else []


def _regency_suffixes(kabupaten: dict[str, str]) -> list[str]:
    """The store's regency names as operators write them after a partner's name, longest first."""
    return sorted({k for nama in kabupaten.values() for k in _regency_spellings(nama)}, key=len, reverse=True)


def _partner_variants(k: str, suffixes: list[str]) -> list[str]:
    """A partner key with and without the words operators add or drop ('Tim Penggerak', the
    regency's name: `suffixes`)."""
    variants = [k]
    for suffix in suffixes:
        if k.endswith(suffix):
            variants.append(k.removesuffix(suffix))
            break
    for prefix in ("timpenggerak", "tp"):
        if k.startswith(prefix):
            variants.append(k.removeprefix(prefix))
            break
    return [v for v in variants if v]


def allowed_slips(name_key: str) -> int:
    """Letters a name may be off by: one in a short name, two in a long one."""
    return 1 if len(name_key) <= 7 else 2


@dataclass
class Match:
    """A village found by name: its code, and how ('nama' exact, 'ejaan' a spelling slip)."""
    kode: str
    how: str


@dataclass
class Places:
    desa: dict[str, tuple[str, str]]                 # kode -> (nama, kecamatan_kode)
    kecamatan: dict[str, str]                        # kode -> nama
    mitra: dict[str, str]                            # kode -> nama
    missing_mitra: set[str]                          # known partners the store lacks yet
    kabupaten: dict[str, str] = field(default_factory=dict)  # kode -> nama (as the store has it)
    _kec_cache: dict = field(default_factory=dict, repr=False)
    _name_cache: dict = field(default_factory=dict, repr=False)
    _partner_cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.desa_codes = sorted(self.desa)
        self.desa_index = {k: i for i, k in enumerate(self.desa_codes)}
        self.kec_by_key = {key(nama): kode for kode, nama in self.kecamatan.items()}
        self.desa_by_name: dict[tuple[str, str], list[str]] = {}
        self.desa_by_key: dict[str, list[str]] = {}
        for kode, (nama, kec) in self.desa.items():
            self.desa_by_name.setdefault((kec, key(nama)), []).append(kode)
            self.desa_by_key.setdefault(key(nama), []).append(kode)
        aliases: dict[str, set[str]] = {}
        self.regency_suffixes = suffixes = _regency_suffixes(self.kabupaten)
        for kode, nama in self.mitra.items():
            names = {kode, nama, re.sub(r"\([^)]*\)", " ", nama), *re.findall(r"\(([^)]*)\)", nama)}
            for name in names:
                for variant in _partner_variants(key(name), suffixes):
                    aliases.setdefault(variant, set()).add(kode)
        self.mitra_by_key = {k: next(iter(v)) for k, v in aliases.items() if len(v) == 1}
        self.mitra_codes = sorted(self.mitra)
        self.kabupaten_codes = sorted(self.kabupaten)
        self.kab_by_key = {}
        for kode, nama in self.kabupaten.items():
            for spelling in (key(kode), key(nama), *_regency_spellings(nama)):
                self.kab_by_key[spelling] = kode

    @classmethod
    def load(cls, conn: sa.Connection) -> Places:
        kec = dict(conn.execute(sa.select(store.kecamatan.c.kode, store.kecamatan.c.nama)).all())
        desa = {k: (n, kc) for k, n, kc in conn.execute(sa.select(
            store.desa.c.kode, store.desa.c.nama, store.desa.c.kecamatan_kode)).all()}
        mitra = dict(conn.execute(sa.select(store.mitra.c.kode, store.mitra.c.nama)).all())
        missing = {kode for kode, _, _ in reference.PARTNERS if kode not in mitra}
        mitra.update({kode: nama for kode, nama, _ in reference.PARTNERS if kode in missing})
        kab = dict(conn.execute(sa.select(store.kabupaten.c.kode, store.kabupaten.c.nama)).all())
        return cls(desa, kec, mitra, missing, kab)

    def kecamatan_names(self) -> str:
        return ", ".join(sorted(self.kecamatan.values()))

    def mitra_names(self) -> str:
        return ", ".join(f"{nama} ({kode})" for kode, nama in self.mitra.items())

    def store_area(self) -> str:
        """Where a village is looked for when no kecamatan is given: the store's regency
        ('Kabupaten Bulukumba'), or its regencies when it holds several."""
        if len(self.kabupaten) == 1:
            return texts.regency_title(next(iter(self.kabupaten.values())))
        if not self.kabupaten:
            return "data wilayah dasbor"
        return f"data wilayah dasbor ({len(self.kabupaten)} kabupaten/kota)"

    def scope_name(self, kec: str | None, kab: str | None = None) -> str:
        """What a target covers, named from the store: a kecamatan, a regency, or everything."""
        if kec is not None:
            return f"Kecamatan {self.kecamatan.get(kec, kec)}"
        if kab is None and len(self.kabupaten) == 1:
            kab = self.kabupaten_codes[0]
        return "semua wilayah" if kab is None else texts.regency_title(self.kabupaten.get(kab, kab))

    def find_kabupaten(self, raw: str) -> str | None:
        """The regency a target's area names ("Jeneponto", "Kab. Jeneponto", "73.04"), or None."""
        return self.kab_by_key.get(key(raw))

    # --- finding ---------------------------------------------------------------------------------

    def find_kecamatan(self, raw: str) -> tuple[str | None, str | None]:
        """(kode, None), (kode, 'ejaan') for a slip, or (None, reason)."""
        found = self._kec_cache.get(raw)
        if found is None:
            found = self._kec_cache[raw] = self._find_kecamatan(raw)
        return found

    def _find_kecamatan(self, raw: str):
        code = kecamatan_code(raw)
        if code is not None:
            return (code, None) if code in self.kecamatan else \
                (None, f"kode kecamatan {show(raw)} tidak dikenal; yang ada: {self.kecamatan_names()}")
        wanted = key(strip_prefix(raw, KEC_PREFIX))
        if wanted in self.kec_by_key:
            return self.kec_by_key[wanted], None
        close = [k for k in self.kec_by_key if edit_distance(k, wanted, allowed_slips(wanted))
                 <= allowed_slips(wanted)]
        if len(close) == 1 and wanted:
            return self.kec_by_key[close[0]], "ejaan"
        return None, f"kecamatan {show(raw)} tidak dikenal; yang ada: {self.kecamatan_names()}"

    def find_village(self, name: str, kec: str | None) -> tuple[Match | None, str | None]:
        """A village by name (within `kec` if known): (Match, None) or (None, reason)."""
        cache_key = (name, kec)
        found = self._name_cache.get(cache_key)
        if found is None:
            found = self._name_cache[cache_key] = self._find_village(name, kec)
        return found

    def _find_village(self, name: str, kec: str | None):
        wanted = key(strip_prefix(name, DESA_PREFIX))
        if kec is None:
            codes = self.desa_by_key.get(wanted, [])
            if len(codes) == 1:
                return Match(codes[0], "nama"), None
            if len(codes) > 1:
                where = ", ".join(f"{k} {self.desa[k][0]} (Kec. {self.kecamatan[self.desa[k][1]]})"
                                  for k in sorted(codes))
                return None, (f"nama desa {show(name)} ada lebih dari satu: {where}; isi kode desa "
                              f"atau kecamatannya")
            return None, (f"desa {show(name)} tidak ditemukan di {self.store_area()}; isi kode "
                          f"desa, atau kecamatannya agar ejaan yang mirip dapat dicocokkan")
        codes = self.desa_by_name.get((kec, wanted), [])
        kec_name = self.kecamatan[kec]
        if len(codes) == 1:
            return Match(codes[0], "nama"), None
        if len(codes) > 1:
            names = ", ".join(f"{k} {self.desa[k][0]}" for k in sorted(codes))
            return None, (f"nama desa {show(name)} tidak tunggal di Kecamatan {kec_name}: {names}; "
                          f"tulis kode desanya")
        slips = allowed_slips(wanted)
        near = [(edit_distance(k, wanted, slips), k) for (kc, k) in self.desa_by_name if kc == kec]
        near = sorted((d, k) for d, k in near if d <= slips)
        if wanted and len(near) == 1:  # one village that close, and only one: unambiguous
            codes = self.desa_by_name[(kec, near[0][1])]
            if len(codes) == 1:
                return Match(codes[0], "ejaan"), None
        elsewhere = sorted({self.kecamatan[kc] for (kc, k) in self.desa_by_name if k == wanted})
        hint = ""
        if elsewhere:
            hint = f"; nama itu ada di Kecamatan {', '.join(elsewhere)}"
        elif near:
            hint = "; mungkin maksudnya: " + ", ".join(self.desa[self.desa_by_name[(kec, k)][0]][0]
                                                        for _, k in near[:3])
        elif len(name) <= 100:  # difflib is quadratic; no village name is that long
            import difflib

            names = [n for n, kc in self.desa.values() if kc == kec]
            close = difflib.get_close_matches(strip_prefix(name, DESA_PREFIX), names, n=3, cutoff=0.6)
            if close:
                hint = f"; mungkin maksudnya: {', '.join(close)}"
        return None, f"desa {show(name)} tidak ditemukan di Kecamatan {kec_name}{hint}"

    def village_code(self, raw: str) -> str | None:
        """The store's code for a code as written ('7302062006'), or None if unknown."""
        code = desa_code(raw)
        return code if code in self.desa else None

    def partner(self, raw: str) -> str | None:
        # A file names a handful of partners over and over; a national store has 2,000 regency
        # suffixes to try, so each spelling is looked up once.
        if raw not in self._partner_cache:
            variants = _partner_variants(key(raw), self.regency_suffixes)
            self._partner_cache[raw] = next((self.mitra_by_key[v] for v in variants if v in self.mitra_by_key), None)
        return self._partner_cache[raw]
