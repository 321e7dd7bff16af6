"""Every word the interface shows about the data, in one place (Indonesian first)."""
from __future__ import annotations

APP_TITLE = "Dasbor e-KTP Kabupaten Bulukumba"
OFFICE = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bulukumba"

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
SOURCE_DATA = "Sumber: data registri kependudukan Disdukcapil Kabupaten Bulukumba (SIAK), diolah."
SOURCE_WILAYAH = ("Batas wilayah: cahyadsn/wilayah_boundaries (lisensi MIT), commit 3c5a796, "
                  "kode dan nama menurut Kepmendagri No 300.2.2-2138 Tahun 2025.")

SKOR_PRIORITAS = ("Skor (0–100) = 50% jumlah belum rekam + 30% kesenjangan cakupan + 20% jarak dari "
                  "kantor Disdukcapil di Ujung Bulu, masing-masing dibandingkan dengan desa tertinggi "
                  "di kabupaten.")


def gertak_projection_sentence(status) -> str:
    """One plain sentence on whether the programme finishes in time (data.ProgrammeStatus)."""
    from . import fmt

    if status.sisa == 0:
        return f"**Target tercapai**: {fmt.angka(status.capaian)} dari {fmt.angka(status.target)}."
    pace = f"{fmt.angka(status.laju_28, 1)} per hari"
    if status.proyeksi_selesai is None:
        return (f"**Tidak ada kemajuan dalam 28 hari terakhir**: dengan laju ini sisa "
                f"{fmt.angka(status.sisa)} tidak akan selesai.")
    when = fmt.tanggal(status.proyeksi_selesai)
    if status.terlambat:
        late = (status.proyeksi_selesai - status.selesai).days
        return (f"**Dengan laju 28 hari terakhir ({pace}), perekaman selesai {when}: "
                f"{fmt.angka(late)} hari setelah tenggat {fmt.tanggal(status.selesai)}.** "
                f"Perlu {fmt.angka(status.laju_perlu, 1) if status.laju_perlu else fmt.KOSONG} per hari "
                f"untuk selesai tepat waktu.")
    return (f"Dengan laju 28 hari terakhir ({pace}), perekaman selesai {when}, "
            f"sebelum tenggat {fmt.tanggal(status.selesai)}.")

CARA_REKAM = """
**Cara merekam e-KTP**

1. **Siapa**: setiap warga berusia 17 tahun ke atas, atau yang sudah/pernah menikah (wajib KTP).
2. **Bawa**: Kartu Keluarga (KK). Perekaman gratis.
3. **Di mana**: kantor Disdukcapil Kabupaten Bulukumba di Ujung Bulu, atau saat tim jemput bola
   dan mitra datang ke desa/kelurahan Anda (posko desa, sekolah, kegiatan PKK atau masjid).
4. **Apa yang terjadi**: petugas memotret wajah, mengambil sidik jari dan iris mata, serta tanda
   tangan. Setelah itu KTP-el dicetak.
5. **Tidak bisa datang** karena sakit, lanjut usia, atau disabilitas? Hubungi kantor desa/kelurahan:
   petugas bersama PPDI Bulukumba dapat menjemput atau mendatangi rumah.
"""
PRIVASI_PUBLIK = ("Halaman ini hanya memuat angka agregat. Jumlah di bawah 5 yang menyangkut warga "
                  "rentan atau satu desa ditampilkan sebagai \"<5\" agar tidak menunjuk orang tertentu.")

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
IMPOR_GAGAL_TAK_TERDUGA = ("Berkas ini membuat pemeriksaan gagal karena kesalahan tak terduga; tidak ada "
                           "yang ditulis. Laporkan berkas ini ke pengelola dasbor.")
IMPOR_MEMERIKSA = "Memeriksa berkas"
IMPOR_MENULIS = "Menulis ke basis data"
