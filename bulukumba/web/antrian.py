"""Kelola data's verification queue: partners' reports waiting, per partner with totals and the
villages; approve, or return with a reason the partner reads; withdraw an approved one; the
audit history (who, when, what). The logic is bulukumba/reports; this draws it."""
from __future__ import annotations

import streamlit as st

from bulukumba.language import fmt, texts
from bulukumba import reports
from bulukumba.web.layout import html_table


def verification_queue(engine, user) -> None:
    st.header("Laporan mitra menunggu verifikasi", anchor=False)
    if "antrian-pesan" in st.session_state:
        st.success(st.session_state.pop("antrian-pesan"))
    waiting = reports.queue(engine)
    if waiting.empty:
        st.caption("Tidak ada laporan mitra yang menunggu verifikasi.")
    else:
        per_partner = reports.queue_by_partner(waiting)
        html_table(per_partner.rename(columns={"mitra": "Mitra", "laporan": "Laporan", "baris": "Baris",
                                               "jumlah": "Warga dilayani", "rentan": "Lansia/disabilitas"}))
        for row in waiting.itertuples():
            flagged = f" · {len(row.tanda)} tanda" if row.tanda else ""
            with st.expander(f"#{row.id} · {row.mitra} · {fmt.number(row.jumlah)} warga · {row.desa}{flagged}"):
                st.caption(f"Dikirim {fmt.timestamp(row.dikirim)} oleh {row.pengguna} ({row.sumber}"
                           f"{'' if row.sumber == 'formulir' else ': ' + row.nama_file})")
                if row.catatan:
                    st.text(f"Catatan: {row.catatan}")
                for flag in row.tanda:
                    st.warning(flag, icon=":material/flag:")
                rows = reports.rows_of(int(row.id), engine)
                html_table(rows.assign(tanggal=[fmt.date(d) for d in rows["tanggal"]],
                                       layanan=rows["layanan"].map(texts.LAYANAN),
                                       cara=rows["cara"].map(texts.CARA), rentan=rows["rentan"].map(texts.RENTAN))
                           .rename(columns={"tanggal": "Tanggal", "desa": "Desa", "kecamatan": "Kecamatan",
                                            "layanan": "Layanan", "cara": "Cara", "rentan": "Kelompok",
                                            "jumlah": "Jumlah"}))
                left, right = st.columns(2)
                if left.button("Setujui", key=f"antrian-setujui-{row.id}", type="primary",
                               icon=":material/check:"):
                    _act(lambda: f"Laporan #{row.id} disetujui: impor #"
                                 f"{reports.approve(int(row.id), user.username, engine)}; angkanya masuk dasbor.")
                with right.form(f"antrian-kembali-{row.id}"):
                    reason = st.text_input("Alasan dikembalikan", key=f"antrian-alasan-{row.id}",
                                           max_chars=300)
                    if st.form_submit_button("Kembalikan", icon=":material/undo:"):
                        _act(lambda: (reports.send_back(int(row.id), reason, user.username, engine),
                                      f"Laporan #{row.id} dikembalikan ke {row.mitra}.")[1])
    approved = reports.submissions(engine, status=("disetujui",))
    if not approved.empty:
        with st.form("antrian-tarik"):
            st.markdown("**Tarik laporan yang sudah disetujui**: angkanya keluar dari semua tampilan "
                        "(impornya dibatalkan); catatannya tetap ada.")
            chosen = st.selectbox("Laporan", list(approved["id"]), key="antrian-tarik-id",
                                  format_func=lambda i: f"#{i} · {approved.set_index('id').loc[i, 'mitra']} · "
                                                        f"impor #{approved.set_index('id').loc[i, 'impor_id']}")
            sure = st.checkbox("Saya yakin", key="antrian-tarik-yakin")
            if st.form_submit_button("Tarik laporan", icon=":material/undo:") and sure:
                _act(lambda: reports.withdraw(int(chosen), user.username, engine))
    log = reports.history(engine, limit=50)
    if not log.empty:
        with st.expander("Riwayat laporan mitra"):
            html_table(log.assign(waktu=[fmt.timestamp(w) for w in log["waktu"]], keterangan=log["keterangan"].fillna(""))
                       .rename(columns={"kiriman_id": "Laporan #", "mitra": "Mitra", "waktu": "Waktu",
                                        "oleh": "Oleh", "aksi": "Langkah", "keterangan": "Keterangan"}))


def _act(step) -> None:
    try:
        st.session_state["antrian-pesan"] = step()
    except reports.Refused as refused:
        st.error(str(refused))
        return
    st.rerun()
