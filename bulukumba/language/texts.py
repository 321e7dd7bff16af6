"""Every word the interface shows about the data, in one place (Indonesian first)."""
from __future__ import annotations

APP_TITLE = "Dasbor e-KTP Kabupaten Bulukumba"
BELUM_ADA_DATA = "Belum ada data untuk ditampilkan."
#: The office that runs this dashboard (not the regency of the data: a store may hold several).
OFFICE = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bulukumba"
OFFICE_SHORT = "Disdukcapil Kabupaten Bulukumba"

#: Where figures come from, as chart footers (cards) and the download notes (downloads) say it.
SUMBER = {
    "registri": f"data registri kependudukan (SIAK) {OFFICE_SHORT}, diolah",
    "kegiatan": f"laporan kegiatan mitra yang diimpor ke dasbor {OFFICE_SHORT}",
    "program": f"target program dan data registri (SIAK) {OFFICE_SHORT}",
    "program_mitra": f"target program dan laporan kegiatan mitra, {OFFICE_SHORT}",
    "program_lengkap": f"target program, data registri (SIAK) dan laporan kegiatan mitra, {OFFICE_SHORT}",
}

LAYANAN = {
    "rekam_ektp": "Perekaman e-KTP",
    "akta_kematian": "Akta kematian",
    "akta_kelahiran": "Akta kelahiran",
    "kk": "Kartu Keluarga (KK)",
    "kia": "Kartu Identitas Anak (KIA)",
}
CARA = {
    "jemput_bola": "Jemput bola",
    "dasa_wisma": "Dasa wisma",
    "malam_takziah": "Malam takziah",
    "posko_desa": "Posko desa",
    "layanan_kantor": "Layanan kantor",
    "sekolah": "Di sekolah",
}
RENTAN = {"umum": "Umum", "disabilitas": "Penyandang disabilitas", "lansia": "Lanjut usia"}
PROGRAM = {
    "kemitraan_2017": "Program inovasi kemitraan 2017",
    "gertak_2018": "GERTAK 2018 (Gerakan Tuntas Administrasi Kependudukan)",
}
DASAR = {
    "registri": "kenaikan jumlah penduduk sudah rekam di data registri",
    "kegiatan_mitra": "jumlah layanan yang dicatat mitra",
}
JENIS_IMPOR = {
    "registri": "Data registri (wajib KTP dan sudah rekam per desa)",
    "kegiatan": "Kegiatan mitra",
    "target": "Target program",
    "contoh": "Data contoh",
    "wilayah": "Data wilayah",
}

DEMO_LABEL = "DATA CONTOH"
DEMO_NOTE = ("Angka di sini adalah data contoh yang dikalibrasi dengan laporan 19 Januari 2018, "
             "bukan data SIAK. Impor data registri untuk menggantinya.")
SOURCE_DATA = f"Sumber: data registri kependudukan {OFFICE_SHORT} (SIAK), diolah."
SOURCE_WILAYAH = ("Batas wilayah: cahyadsn/wilayah_boundaries (lisensi MIT), commit 3c5a796, "
                  "kode dan nama menurut Kepmendagri No 300.2.2-2138 Tahun 2025.")

SKOR_PRIORITAS = ("Skor (0–100) = 50% jumlah belum rekam + 30% kesenjangan cakupan + 20% jarak dari "
                  "kantor Disdukcapil di Ujung Bulu, masing-masing dibandingkan dengan desa tertinggi "
                  "di kabupaten.")


def gertak_projection_sentence(status) -> str:
    """One plain sentence on whether the programme finishes in time (data.ProgrammeStatus)."""
    from bulukumba.language import fmt

    if status.sisa == 0:
        return f"**Target tercapai**: {fmt.number(status.capaian)} dari {fmt.number(status.target)}."
    pace = f"{fmt.number(status.laju_28, 1)} per hari"
    if status.proyeksi_selesai is None:
        return (f"**Tidak ada kemajuan dalam 28 hari terakhir**: dengan laju ini sisa "
                f"{fmt.number(status.sisa)} tidak akan selesai.")
    when = fmt.date(status.proyeksi_selesai)
    if status.terlambat:
        late = (status.proyeksi_selesai - status.selesai).days
        return (f"**Dengan laju 28 hari terakhir ({pace}), perekaman selesai {when}: "
                f"{fmt.number(late)} hari setelah tenggat {fmt.date(status.selesai)}.** "
                f"Perlu {fmt.number(status.laju_perlu, 1) if status.laju_perlu else fmt.KOSONG} per hari "
                f"untuk selesai tepat waktu.")
    return (f"Dengan laju 28 hari terakhir ({pace}), perekaman selesai {when}, "
            f"sebelum tenggat {fmt.date(status.selesai)}.")

PRIVASI_PUBLIK = ("Halaman ini hanya memuat angka agregat. Jumlah 1 sampai 4 yang menyangkut warga "
                  "rentan atau satu desa ditampilkan sebagai \"<5\" agar tidak menunjuk orang tertentu; "
                  "angka lain yang dapat membukanya kembali (misalnya lewat jumlah kecamatan) ditampilkan "
                  "sebagai \"disamarkan\".")
#: The public page's short privacy note (the long one above is for the downloads' readers).
PRIVASI_SINGKAT = ("Hanya angka agregat, tidak ada data perorangan. Jumlah 1 sampai 4 ditampilkan \"<5\"; "
                   "angka yang dapat membukanya kembali ditampilkan \"disamarkan\".")
#: Legend entry of the hatched villages on the public maps.
DISAMARKAN_LEGENDA = "Disamarkan (angka kecil dan pelengkapnya)"


# ---------------------------------------------------------------------------------------------
# Who may be told what
# ---------------------------------------------------------------------------------------------

#: The audiences, and the rule every text below keeps (tests/test_audience_texts.py checks it on
#: every public render and projector slide, on every data state):
#:
#: - "publik" (Transparansi: anyone, nobody signed in) and "proyektor" (a meeting room's screen):
#:   the published figures and plain explanations of them, and, in plain words, what is not
#:   published yet (BELUM_TERBIT). Never an instruction meant for the office: no page only staff
#:   can open, no command, no template, no setting or file name (HANYA_STAF).
#: - "staf" (signed in: the department head and operators, on the internal pages): also how to
#:   add what is missing (CARA_TAMBAH: which import, which template) and the internals
#:   (settings, files to fill in). The full how-to is the operator's, on Kelola data.
AUDIENS = {"publik", "proyektor", "staf"}
#: Words only staff may be shown (the public and the projector must not contain any of them).
HANYA_STAF = ("Kelola data", "python -m bulukumba", "templat", "peran operator", "BULUKUMBA_", ".toml",
              "secrets", "impor BERKAS")

#: What the public and the projector say instead of CARA_TAMBAH: what is not published yet.
BELUM_TERBIT = {
    "registri": "Angka perekaman e-KTP belum diterbitkan.",
    "kegiatan": "Data kegiatan mitra belum diterbitkan.",
    "target": "Target GERTAK 2018 belum diterbitkan.",
}
#: The public page and the projector when nothing at all is published (no data in the store).
BELUM_TERBIT_SEMUA = ("Belum ada angka perekaman e-KTP yang diterbitkan. Angka tampil di sini setelah "
                      f"{OFFICE_SHORT} menerbitkannya.")


#: The public page's partner section when no partner activity is published (instead of a list
#: of partners with 0 each, which would read "the partners did nothing").
MITRA_BELUM_TERBIT = ("Daftar layanan mitra tampil di sini setelah laporan kegiatan mitra selama GERTAK 2018 "
                      "diterbitkan.")
#: Partner activity published, but none for vulnerable residents.
RENTAN_NOL = ("Belum ada layanan mitra untuk penyandang disabilitas atau lanjut usia yang tercatat "
              "selama GERTAK 2018.")


def missing(kind: str, staff: bool) -> str:
    """What to say where a `kind` of data is missing: staff are told how to add it (markdown),
    anyone else that it is not published yet."""
    return CARA_TAMBAH[kind] if staff else BELUM_TERBIT[kind]


# ---------------------------------------------------------------------------------------------
# When a figure is missing: say so, and say how to add it (which import, which template)
# ---------------------------------------------------------------------------------------------

#: Where each kind of data comes in. The Kelola data page is the operator's; the command line
#: works for anyone at the server.
#: Unduh, for a store of several regencies viewed as a whole: the per-village-and-date tables.
UNDUH_PER_KABUPATEN = ("Tabel ini memuat setiap desa pada setiap tanggal atau bulan: untuk semua kabupaten/kota "
                       "sekaligus terlalu besar untuk satu berkas. Pilih satu kabupaten/kota di samping untuk "
                       "mengunduhnya.")

CARA_TAMBAH = {
    "registri": ("Tambahkan lewat halaman **Kelola data** (peran operator), jenis berkas *Data registri* "
                 "(wajib KTP dan sudah rekam per desa); templat kolomnya: "
                 "`python -m bulukumba template registri --format xlsx`."),
    "kegiatan": ("Tambahkan lewat halaman **Kelola data** (peran operator), jenis berkas *Kegiatan mitra* "
                 "(tanggal, mitra, desa, layanan, jumlah); templat kolomnya: "
                 "`python -m bulukumba template kegiatan --format xlsx`."),
    "target": ("Tambahkan lewat halaman **Kelola data** (peran operator), jenis berkas *Target program* "
               "(program, layanan, nilai, mulai, selesai); templat kolomnya: "
               "`python -m bulukumba template target --format xlsx`."),
}


def list_and(names: list[str]) -> str:
    """'A', 'A dan B', 'A, B dan C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " dan " + names[-1]


def plain(markdown: str) -> str:
    """The same words without markdown marks (for HTML text and chart notes)."""
    return markdown.replace("**", "").replace("*", "").replace("`", "")


BELUM_ADA_PEMBANDING = "belum ada data pembanding"


def no_comparison(day) -> str:
    """Why a change figure is missing, and when it will come."""
    from bulukumba.language import fmt

    return (f"Belum ada data pembanding: baru satu tanggal data registri ({fmt.date(day)}), jadi "
            "perubahan belum bisa dihitung. Perubahan tampil setelah data registri tanggal berikutnya "
            "diimpor.")


def change_phrase(change) -> str:
    """'+432 dalam 7 hari' (the span actually measured), or 'belum ada data pembanding'."""
    from bulukumba.language import fmt

    if not change.ada:
        return BELUM_ADA_PEMBANDING
    return f"{fmt.signed(change.sudah_rekam)} dalam {fmt.number(change.hari)} hari"


# ---------------------------------------------------------------------------------------------
# The verdict strip (verdict.py)
# ---------------------------------------------------------------------------------------------

VONIS_BADGE = {
    "belum_mulai": "belum dimulai",
    "tercapai": "target tercapai",
    "tepat_waktu": "tepat waktu",
    "tanpa_kemajuan": "tidak ada kemajuan",
    "tidak_tercapai": "tidak tercapai pada tenggat",
    "belum_ada_laju": "belum bisa dinilai",
    "tanpa_target": "tanpa target",
    "tanpa_data": "belum ada data",
}
VONIS_TANPA_LAJU_SINGKAT = "perlu dua tanggal data registri"
VONIS_TANPA_PROYEKSI = {
    "belum_ada_laju": "menunggu laju",
    "tanpa_kemajuan": "tidak selesai pada laju ini",
    "tidak_tercapai": "tenggat sudah lewat",
    "belum_mulai": "program belum dimulai",
}
VONIS_TANPA_MITRA_SINGKAT = "belum ada kegiatan mitra tercatat"
#: The one definition of the partner figure in the strip (the same words on every page).
MITRA_EKTP = "Perekaman e-KTP oleh mitra"
MITRA_SEMUA = "Semua layanan mitra"


def verdict_note(v) -> str:
    """The strip's last line: what is missing and how to add it, or where the figures come from."""
    from bulukumba.language import fmt

    staff = not getattr(v, "publik", False)
    if v.keadaan == "tanpa_data":
        return f"Belum ada data registri untuk {v.wilayah}. " + plain(missing("registri", staff))
    parts = []
    if v.capaian_sejak and v.mulai and v.capaian_sejak > v.mulai:
        parts.append(late_start_note(v))
    if v.keadaan == "tanpa_target" and staff:
        parts.append(f"Belum ada target GERTAK 2018 untuk {v.wilayah}, jadi sisa, laju yang perlu dan "
                     f"proyeksi belum bisa dihitung. " + plain(CARA_TAMBAH["target"]))
    elif v.keadaan == "tanpa_target":
        parts.append(f"{BELUM_TERBIT['target']} Sisa, laju yang perlu dan proyeksi tampil setelah targetnya "
                     "diterbitkan.")
    elif v.keadaan == "belum_ada_laju":
        parts.append(f"Laju belum bisa dihitung: baru satu tanggal data registri ({fmt.date(v.tanggal)}). "
                     "Laju dan proyeksi muncul setelah data registri tanggal berikutnya diimpor.")
    elif v.laju is not None:
        basis = "kenaikan sudah rekam" if v.dasar == "registri" else "layanan yang dicatat mitra"
        parts.append(f"Laju = {basis} {fmt.date(v.laju_dari)} – {fmt.date(v.tanggal)}, per hari.")
    since = fmt.date(v.mitra_mulai) if v.mitra_mulai else "awal data"
    if v.mitra is None:
        parts.append(f"Belum ada perekaman e-KTP oleh mitra tercatat sejak {since}. "
                     + plain(missing("kegiatan", staff)))
    else:
        parts.append(f"Mitra teratas menurut perekaman e-KTP oleh mitra sejak {since}.")
    return " ".join(parts)


def verdict_sentence(v) -> str:
    """One plain sentence (markdown) on whether the programme finishes in time."""
    from bulukumba.language import fmt

    staff = not getattr(v, "publik", False)
    if v.keadaan == "tanpa_data":
        return f"**Belum ada data registri untuk {v.wilayah}.** " + missing("registri", staff)
    if v.keadaan == "tanpa_target":
        return f"**Belum ada target GERTAK 2018 untuk {v.wilayah}.** " + missing("target", staff)
    if v.keadaan == "belum_mulai":
        return f"GERTAK 2018 dimulai {fmt.date(v.mulai)}; keadaan yang dipilih lebih awal."
    if v.keadaan == "tercapai":
        return f"**Target tercapai**: {fmt.number(v.capaian)} dari {fmt.number(v.target)}."
    if v.keadaan == "tidak_tercapai":
        return (f"**Target tidak tercapai pada tenggat {fmt.date(v.selesai)}**: {fmt.number(v.capaian)} "
                f"dari {fmt.number(v.target)}, sisa {fmt.number(v.sisa)}.")
    if v.keadaan == "belum_ada_laju":
        return (f"**Belum bisa dinilai**: baru satu tanggal data registri ({fmt.date(v.tanggal)}), jadi "
                f"lajunya belum terukur. Sisa {fmt.number(v.sisa)}; perlu "
                f"{fmt.number(v.perlu_per_hari, 1)} per hari sampai {fmt.date(v.selesai)}.")
    pace = f"{fmt.number(v.laju, 1)} per hari"
    window = f"laju {fmt.number(v.laju_hari)} hari terakhir"
    if v.keadaan == "tanpa_kemajuan":
        return (f"**Tidak ada kemajuan dalam {fmt.number(v.laju_hari)} hari terakhir**: dengan laju ini sisa "
                f"{fmt.number(v.sisa)} tidak akan selesai.")
    when = fmt.date(v.proyeksi_selesai)
    if v.keadaan == "terlambat":
        return (f"**Dengan {window} ({pace}), perekaman selesai {when}: "
                f"{fmt.number(v.terlambat_hari)} hari setelah tenggat {fmt.date(v.selesai)}.** "
                f"Perlu {fmt.number(v.perlu_per_hari, 1) if v.perlu_per_hari else fmt.KOSONG} per hari "
                f"untuk selesai tepat waktu.")
    return (f"Dengan {window} ({pace}), perekaman selesai {when}, "
            f"sebelum tenggat {fmt.date(v.selesai)}.")


def change_caption(*changes) -> str:
    """'Perubahan sudah rekam: +432 dalam 8 hari (22 Juni – 30 Juni 2018, +0,1 poin cakupan); …',
    each span once."""
    from bulukumba.language import fmt

    parts, seen = [], set()
    for change in changes:
        if not change.ada or change.dari in seen:
            continue
        seen.add(change.dari)
        parts.append(f"{fmt.signed(change.sudah_rekam)} dalam {fmt.number(change.hari)} hari "
                     f"({fmt.date(change.dari)} – {fmt.date(change.sampai)}, "
                     f"{fmt.points(change.cakupan_poin)} cakupan)")
    return "Perubahan sudah rekam: " + "; ".join(parts) + "." if parts else ""


def public_change_note(change) -> str:
    """Which period the public page's change figure spans (about 30 days; Ringkasan's first
    figure spans about 7), so two pages' figures are not read as one: 'Perubahan sudah rekam
    +1.674 dalam 29 hari: 1 Juni 2018 – 30 Juni 2018, …'. Empty without a comparison."""
    from bulukumba.language import fmt

    if change is None or not change.ada:
        return ""
    return (f"Perubahan sudah rekam {change_phrase(change)}: {fmt.date(change.dari)} – "
            f"{fmt.date(change.sampai)}, dibandingkan data terbit sekitar 30 hari sebelumnya.")


def distance_to_target(share, target: float) -> str | None:
    """'0,1 poin di atas target 96%' (a distance, said without a trend arrow)."""
    from bulukumba.language import fmt

    if share is None:
        return None
    gap = (share - target) * 100
    where = "di atas" if gap > 0 else ("di bawah" if gap < 0 else "tepat pada")
    return f"{fmt.number(abs(gap), 1)} poin {where} target {fmt.percent(target, 0)}"


# ---------------------------------------------------------------------------------------------
# The public page for residents and projector mode
# ---------------------------------------------------------------------------------------------

def regency_title(name: str) -> str:
    """A regency as the store names it, titled: 'Jeneponto' -> 'Kabupaten Jeneponto'; a name that
    already says 'Kabupaten' or 'Kota' ('Kota Makassar') as it is."""
    return name if name.lower().startswith(("kabupaten ", "kota ")) else f"Kabupaten {name}"


def public_title(wilayah: str) -> str:
    """The public page's title: 'Perekaman e-KTP Kabupaten Bulukumba' (the name from the store)."""
    return f"Perekaman e-KTP {wilayah}"


#: While the newest data are being prepared for publication, the page shows the figures before.
PUBLIK_DISIAPKAN = "Data terbaru sedang disiapkan; yang tampil di bawah adalah angka terbit sebelumnya."
#: Boundaries credit for public views: the data set and the decree, no repository or commit.
SOURCE_WILAYAH_PUBLIK = ("Batas wilayah: data terbuka wilayah_boundaries (lisensi MIT); kode dan nama "
                         "menurut Kepmendagri No 300.2.2-2138 Tahun 2025.")
#: Who must record, what to bring, what happens (the "Cara merekam e-KTP" box, folded).
LANGKAH_REKAM = (
    "Siapa: setiap warga berusia 17 tahun ke atas, atau yang sudah/pernah menikah (wajib KTP).",
    "Bawa: Kartu Keluarga (KK). Perekaman gratis.",
    "Di mana: kantor Disdukcapil, atau saat tim jemput bola dan mitra datang ke desa/kelurahan Anda "
    "(posko desa, sekolah, kegiatan PKK atau masjid).",
    "Apa yang terjadi: petugas memotret wajah, mengambil sidik jari dan iris mata, serta tanda tangan. "
    "Setelah itu KTP-el dicetak.",
)
#: What a hidden figure on a village card means.
LABEL_ARTI = {
    "<5": "kurang dari 5; angka pastinya tidak ditampilkan agar tidak menunjuk orang tertentu",
    "disamarkan": "disamarkan agar angka kecil di desa lain tidak dapat dihitung kembali",
    "ditahan": "ditahan agar angka kecil pada tanggal lain tidak dapat dihitung kembali",
}
#: The office block without a phone or WhatsApp number: where to ask instead of a blank.
KANTOR_TANYA = ("Nomor telepon dan WhatsApp kantor belum tersedia di sini: tanyakan jam buka dan jadwal "
                "perekaman di kantor desa/kelurahan Anda, atau datang langsung ke kantor Disdukcapil.")
#: Staff only (names the file): what the office file lacks.
KANTOR_BELUM_DIISI = ("Data kantor belum lengkap: {kolom} belum diisi di {berkas}. Warga melihat ajakan untuk "
                      "bertanya di kantor desa sebagai gantinya; isi agar mereka bisa langsung menghubungi kantor.")
CARI_LABEL = "Nama desa atau kelurahan"
CARI_CONTOH = "mis. Tanah Towa"
CARI_TIDAK_ADA = ("Tidak ada desa/kelurahan dengan nama seperti \"{query}\" di {wilayah}. "
                  "Periksa ejaannya, atau pilih desa Anda di peta.")
CARI_PILIH = "Desa/kelurahan yang cocok"
PETA_PETUNJUK = ("Ketuk atau pilih sebuah desa untuk membuka kartunya; dengan papan ketik, tekan Tab lalu Enter. "
                 "Angka yang sama ada di tabel per desa/kelurahan di bawah peta.")
LEWATI_PETA = "Lewati peta ({n} desa/kelurahan)"
#: Why a table leaves out a column (a column of zeros says nothing and invites questions).
KOLOM_NOL = "Kolom {kolom} tidak ditampilkan: semuanya 0 pada tanggal ini."
#: Public page, a store of more kecamatan or villages than a screen holds.
BATANG_TERENDAH = "Ditampilkan {n} kecamatan dengan cakupan terendah dari {semua} kecamatan."
BATANG_CAPAIAN_TERENDAH = "Ditampilkan {n} kecamatan dengan capaian terendah dari {semua} kecamatan."
#: More kecamatan without registry data than a subtitle can name.
TANPA_DATA_BANYAK = "Belum ada data registri: {n} kecamatan."
BARIS_PERTAMA = "Ditampilkan {n} baris pertama dari {semua}."
TABEL_LENGKAP_DIUNDUH = "Tabel lengkap ada di berkas unduhan di bawah."
#: Under the public page's download buttons: what each file is.
UNDUH_PUBLIK = ("CSV: data terbuka, angka sebagai angka, dengan tanggal data, sumber dan lisensi (CC BY 4.0) di "
                "setiap baris; kamus datanya di [/data/](/data/). XLSX: tabel seperti di halaman ini, dengan "
                "lembar Keterangan.")

#: Masuk, seen by a visitor when there are no accounts yet.
MASUK_PENGUNJUNG = ("Halaman ini untuk petugas Disdukcapil. Angka perekaman untuk umum ada di halaman "
                    "**Transparansi**.")

MASUK_PETUGAS = "Untuk petugas Disdukcapil yang sudah punya akun."

#: Projector: what the pause button says in each state, and the key help under the controls.
PROYEKTOR_JEDA = "Jeda"
PROYEKTOR_PUTAR = "Putar lagi"
PROYEKTOR_TOMBOL = "Tombol: → / PageDown / Spasi berikutnya · ← / PageUp sebelumnya · P jeda · F layar penuh"
#: Every projector slide names where its figures come from (a photo of a slide still says it).
PROYEKTOR_SUMBER = f"Sumber: SIAK dan laporan mitra, {OFFICE_SHORT}"
PROYEKTOR_PETA_JUDUL = "{n} desa dengan belum rekam terbanyak"

# --- Kelola data: import (pages/kelola.py, bulukumba/importer) ----------------------------------
IMPOR_PENGANTAR = ("CSV atau XLSX: data registri (wajib KTP dan sudah rekam per desa), kegiatan mitra, "
                   "atau target program. Berkas diperiksa seluruhnya dulu; tidak ada yang disimpan "
                   "sebelum Anda menekan **Simpan**. Hanya angka agregat: jangan unggah NIK, nama, "
                   "atau alamat.")
IMPOR_TEMPLAT_JUDUL = "Templat dan penjelasan kolom"
IMPOR_TEMPLAT_PENGANTAR = ("Pakai templat, atau unggah ekspor Anda sendiri: judul kolom yang biasa "
                           "dipakai (mis. 'Nama Desa/Kel', 'Jml Wajib KTP-el', 'WKTP (L)') dikenali "
                           "dari kata-katanya.")
IMPOR_CATATAN = (
    "Baris judul tabel di atas judul kolom dan kolom nomor urut (NO) diabaikan.",
    "Baris JUMLAH/TOTAL di bawah dicocokkan dengan jumlah baris di atasnya, lalu tidak disimpan.",
    "Kolom Belum Rekam dan Cakupan (%) boleh ada: diperiksa pada setiap baris, tidak disimpan.",
    "Desa tanpa kode dicocokkan dengan namanya di kecamatannya; setiap pencocokan dilaporkan.",
    "Angka hanya 0–9 dengan titik pemisah ribuan (325.880); tanggal hari/bulan/tahun.",
)
IMPOR_UNGGAH = "Berkas CSV atau XLSX"
IMPOR_UNGGAH_BANTUAN = ("Seret berkas ke kotak ini atau tekan tombolnya. Batas ukuran dan jumlah baris "
                        "diatur pengelola dasbor (BULUKUMBA_IMPOR_MAKS_MB, BULUKUMBA_IMPOR_MAKS_BARIS).")
#: The uploader's own English words, replaced by CSS (Streamlit has no setting for them).
IMPOR_UNGGAH_TOMBOL = "Pilih berkas"
IMPOR_UNGGAH_BATAS = "Seret berkas ke sini · maks. {mb} MB · CSV, XLSX"
IMPOR_PEMETAAN_JUDUL = "Pemetaan kolom"
IMPOR_PEMETAAN_PENGANTAR = ("Judul kolom berikut belum jelas artinya. Pilih kolom yang dimaksud, atau "
                            "'Abaikan kolom ini'. Pilihan diingat untuk berkas berikutnya dengan judul "
                            "yang sama (daftar di bawah; bisa dihapus). Tidak ada yang disimpan sebelum "
                            "semua kolom jelas dan pemeriksaan bersih.")
IMPOR_PEMETAAN_PILIH = "— pilih —"
IMPOR_PEMETAAN_ABAIKAN_LAIN = "Abaikan semua kolom lain yang belum jelas (hanya untuk berkas ini)"
IMPOR_PEMETAAN_TERAPKAN = "Terapkan pemetaan"
IMPOR_PEMETAAN_DIINGAT = "Pemetaan kolom yang diingat"
IMPOR_PEMETAAN_KOSONG = "Belum ada pemetaan kolom yang diingat."
IMPOR_PEMETAAN_HAPUS = "Hapus pemetaan terpilih"
IMPOR_MEMERIKSA = "Memeriksa berkas"
IMPOR_BATALKAN = "Batalkan"
IMPOR_PERIKSA_LAGI = "Periksa lagi"
IMPOR_MENULIS = "Menulis ke basis data"
# What saving a registry file changes (bulukumba/importer/changes.py), before and after saving.
IMPOR_PRATINJAU_JUDUL = "Yang berubah bila disimpan"
IMPOR_TERSIMPAN_JUDUL = "Yang berubah"
IMPOR_PRATINJAU = "Berkas ini membawa angka {desa} dari {desa_wilayah} desa/kelurahan {wilayah} untuk {tanggal}."
IMPOR_PRATINJAU_TANGGAL_SATU = "1 tanggal: {tanggal}"
IMPOR_PRATINJAU_TANGGAL_BANYAK = "{n} tanggal, {pertama} s.d. {terakhir}"
IMPOR_PRATINJAU_CONTOH = ("Angka sekarang adalah data contoh; data contoh dinonaktifkan saat berkas ini "
                          "disimpan.")
IMPOR_PRATINJAU_KOLOM = ("Angka kabupaten", "Berkas ini ({desa} desa, {tanggal})", "Sekarang ({tanggal})",
                         "Sesudah disimpan ({tanggal})", "Selisih")
IMPOR_TERSIMPAN_KOLOM = ("Angka kabupaten", "Berkas ini ({desa} desa, {tanggal})", "Sebelum ({tanggal})",
                         "Sesudah ({tanggal})", "Selisih")
IMPOR_PRATINJAU_BARIS = ("Wajib KTP", "Sudah rekam", "Belum rekam", "Cakupan")
IMPOR_PRATINJAU_KOSONG = "belum ada angka"
IMPOR_PERUBAHAN_KOLOM = ("Desa/Kel.", "Kode", "Tanggal", "Wajib KTP lama → baru", "Sudah rekam lama → baru")
IMPOR_PERUBAHAN_LAINNYA = "… dan {n} baris lain yang berubah."
IMPOR_GANTI_TOMBOL = "Ganti impor #{impor} dengan berkas ini ({baris} baris)"
IMPOR_PERINGATAN_SEBELUM = "{n} peringatan; periksa sebelum menyimpan."
IMPOR_PERINGATAN_SESUDAH = "Catatan pemeriksaan berkas yang disimpan ({n})"


TABLE_BAR_NOTE = "Batang di kolom terakhir: cakupan pada skala 0–100%."


def service_unit(layanan: str | None) -> tuple[str, str]:
    """(title, unit) of what a partner figure counts, one definition per title:
    None -> ('Semua layanan mitra', 'layanan'); 'rekam_ektp' -> ('Perekaman e-KTP oleh mitra',
    'perekaman'); another service -> ('Akta kematian oleh mitra', 'dokumen')."""
    if layanan is None:
        return MITRA_SEMUA, "layanan"
    if layanan == "rekam_ektp":
        return MITRA_EKTP, "perekaman"
    return f"{LAYANAN[layanan]} oleh mitra", "dokumen"


#: What each column of a download means (the XLSX "Keterangan" sheet lists those it has).
COLUMN_DEFINITIONS = {
    "Kode": "kode wilayah resmi (Kepmendagri No 300.2.2-2138 Tahun 2025)",
    "Wajib KTP": "penduduk yang wajib memiliki KTP-el (berusia 17 tahun ke atas atau sudah/pernah menikah)",
    "Sudah rekam": "wajib KTP yang sudah melakukan perekaman biometrik e-KTP",
    "Belum rekam": "wajib KTP dikurangi sudah rekam",
    "Cakupan (%)": "sudah rekam dibagi wajib KTP",
    "Desa melapor": "desa/kelurahan di kecamatan itu yang sudah ada data registrinya sampai tanggal data",
    "Tanggal data": "tanggal data registri desa/kelurahan yang dipakai (yang terbaru sampai tanggal yang dipilih)",
    "Tanggal": "tanggal data registri",
    "Skor": SKOR_PRIORITAS,
    "Jarak dari kantor (km)": "jarak garis lurus dari pusat Ujung Bulu (kantor Disdukcapil) ke titik tengah desa",
    "Jumlah": "jumlah layanan yang dicatat mitra pada periode itu",
    "Porsi (%)": "jumlah mitra itu dibagi jumlah semua mitra pada periode itu",
    "Desa dijangkau": "desa/kelurahan yang mendapat setidaknya satu layanan mitra itu",
    "Warga rentan dilayani": "layanan untuk penyandang disabilitas dan lanjut usia",
    "Warga rentan": "layanan untuk penyandang disabilitas dan lanjut usia",
    "Peringkat": "urutan menurut jumlah; jumlah sama, peringkat sama",
    "Bulan": "bulan kegiatan (hari pertama bulan itu)",
    "Target": "nilai target program",
    "Capaian": "capaian sejak program dimulai",
    "Capaian (%)": "capaian dibagi target",
    "Sisa": "target dikurangi capaian (0 bila tercapai)",
    "Perlu per hari": "sisa dibagi hari sampai tenggat",
    "Laju per hari": "kenaikan per hari pada periode terakhir (lihat Laju diukur)",
    "Laju diukur (hari)": "panjang periode yang dipakai untuk laju",
    "Proyeksi selesai": "tanggal sisa habis bila laju tetap",
    "Keadaan": "penilaian: tepat waktu, terlambat N hari, belum bisa dinilai, dst.",
}


def definitions(columns) -> dict[str, str]:
    """The definitions of those `columns` that have one, in the columns' order."""
    return {c: COLUMN_DEFINITIONS[c] for c in columns if c in COLUMN_DEFINITIONS}


def late_start_note(v) -> str:
    """Why the achievement is counted from a later date than the programme's start."""
    from bulukumba.language import fmt

    return (f"Capaian dihitung sejak data registri pertama ({fmt.date(v.capaian_sejak)}): belum ada data "
            f"pada awal program ({fmt.date(v.mulai)}), jadi perekaman di antaranya tidak terhitung.")
