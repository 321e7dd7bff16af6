"""The public side as the web expects it, without Streamlit: what a shared link previews, the
first screen served as plain HTML before (and without) JavaScript, the share card image, and the
open data files.

Every figure here is read from the published set (bulukumba.disclosure.public_view), the same
one the public page shows: the regency's figures and texts (`PublicView.kabupaten`), the
GERTAK verdict (`PublicView.vonis`), the village frame (`PublicView.desa`), the kecamatan and
partner frames and the GERTAK progress (`PublicView.gertak_progres`). Nothing is recomputed from
the store's figures, and a hidden figure stays hidden ("<5", "disamarkan", "ditahan").

- summary.py: which view an address asks for, and its published figures as plain values;
- shell.py: Streamlit's page shell rewritten per request (title, description, Open Graph and
  Twitter tags, canonical address, icon) with the first screen inside;
- card.py: the share card (PNG, 1200×630) drawn with Pillow;
- opendata.py: CSV, JSON and datapackage.json per regency, and the index page of /data/.
"""
