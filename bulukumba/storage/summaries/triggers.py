"""Triggers that note, in the writer's own transaction, what changed: the villages whose registry
rows or partner activity changed, and the days with changed activity. SQLite gets row triggers,
PostgreSQL statement triggers with transition tables."""
from __future__ import annotations

import sqlalchemy as sa

# Schema 3: the villages whose partner reach (jangkauan_mitra) must be recomputed.
_SQLITE_REACH_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS tr_jangkauan_kotor_insert AFTER INSERT ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO jangkauan_kotor (desa_kode) VALUES (NEW.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_jangkauan_kotor_delete AFTER DELETE ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO jangkauan_kotor (desa_kode) VALUES (OLD.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_jangkauan_kotor_update AFTER UPDATE ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO jangkauan_kotor (desa_kode) VALUES (OLD.desa_kode); "
    "INSERT OR IGNORE INTO jangkauan_kotor (desa_kode) VALUES (NEW.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_impor_jangkauan_kotor AFTER UPDATE OF status ON impor "
    "WHEN OLD.status IS NOT NEW.status "
    "BEGIN INSERT OR IGNORE INTO jangkauan_kotor (desa_kode) "
    "SELECT desa_kode FROM kegiatan INDEXED BY ix_kegiatan_impor WHERE impor_id = NEW.id; END",
]

# The batch triggers name their index: when one batch holds most rows (a bulk load), SQLite's
# statistics call impor_id unselective and it walked all 10 million activity rows instead
# (measured: 116 s to undo a 162-row batch); INSERT OR IGNORE drops repeated codes and days.
_SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS tr_registri_kotor_insert AFTER INSERT ON registri "
    "BEGIN INSERT OR IGNORE INTO registri_kotor (desa_kode) VALUES (NEW.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_registri_kotor_delete AFTER DELETE ON registri "
    "BEGIN INSERT OR IGNORE INTO registri_kotor (desa_kode) VALUES (OLD.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_registri_kotor_update AFTER UPDATE ON registri "
    "BEGIN INSERT OR IGNORE INTO registri_kotor (desa_kode) VALUES (OLD.desa_kode); "
    "INSERT OR IGNORE INTO registri_kotor (desa_kode) VALUES (NEW.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_impor_kotor AFTER UPDATE OF status ON impor "
    "WHEN OLD.status IS NOT NEW.status "
    "BEGIN INSERT OR IGNORE INTO registri_kotor (desa_kode) "
    "SELECT desa_kode FROM registri INDEXED BY ix_registri_impor WHERE impor_id = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS tr_desa_kotor AFTER UPDATE OF kecamatan_kode ON desa "
    "BEGIN INSERT OR IGNORE INTO registri_kotor (desa_kode) VALUES (NEW.kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_kegiatan_kotor_insert AFTER INSERT ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO kegiatan_kotor (tanggal) VALUES (NEW.tanggal); END",
    "CREATE TRIGGER IF NOT EXISTS tr_kegiatan_kotor_delete AFTER DELETE ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO kegiatan_kotor (tanggal) VALUES (OLD.tanggal); END",
    "CREATE TRIGGER IF NOT EXISTS tr_kegiatan_kotor_update AFTER UPDATE ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO kegiatan_kotor (tanggal) VALUES (OLD.tanggal); "
    "INSERT OR IGNORE INTO kegiatan_kotor (tanggal) VALUES (NEW.tanggal); END",
    "CREATE TRIGGER IF NOT EXISTS tr_impor_kegiatan_kotor AFTER UPDATE OF status ON impor "
    "WHEN OLD.status IS NOT NEW.status "
    "BEGIN INSERT OR IGNORE INTO kegiatan_kotor (tanggal) "
    "SELECT tanggal FROM kegiatan INDEXED BY ix_kegiatan_impor WHERE impor_id = NEW.id; END",
    *_SQLITE_REACH_TRIGGERS,
]

# PostgreSQL: statement-level triggers with transition tables, so a 300,000-row import notes its
# villages in one statement instead of 300,000 trigger calls.
_PG_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION registri_kotor_baru() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO registri_kotor (desa_kode) SELECT DISTINCT desa_kode FROM baru
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION registri_kotor_lama() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO registri_kotor (desa_kode) SELECT DISTINCT desa_kode FROM lama
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION registri_kotor_ubah() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO registri_kotor (desa_kode)
             SELECT desa_kode FROM lama UNION SELECT desa_kode FROM baru
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    # A plan made for this batch's id, never a generic one (which may scan every row).
    """CREATE OR REPLACE FUNCTION impor_kotor() RETURNS trigger LANGUAGE plpgsql
       SET plan_cache_mode = force_custom_plan AS $$
       BEGIN INSERT INTO registri_kotor (desa_kode)
             SELECT DISTINCT desa_kode FROM registri WHERE impor_id = NEW.id
             ON CONFLICT DO NOTHING;
             INSERT INTO kegiatan_kotor (tanggal)
             SELECT DISTINCT tanggal FROM kegiatan WHERE impor_id = NEW.id
             ON CONFLICT DO NOTHING;
             INSERT INTO jangkauan_kotor (desa_kode)
             SELECT DISTINCT desa_kode FROM kegiatan WHERE impor_id = NEW.id
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION kegiatan_kotor_baru() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO kegiatan_kotor (tanggal) SELECT DISTINCT tanggal FROM baru
             ON CONFLICT DO NOTHING;
             INSERT INTO jangkauan_kotor (desa_kode) SELECT DISTINCT desa_kode FROM baru
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION kegiatan_kotor_lama() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO kegiatan_kotor (tanggal) SELECT DISTINCT tanggal FROM lama
             ON CONFLICT DO NOTHING;
             INSERT INTO jangkauan_kotor (desa_kode) SELECT DISTINCT desa_kode FROM lama
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION kegiatan_kotor_ubah() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO kegiatan_kotor (tanggal)
             SELECT tanggal FROM lama UNION SELECT tanggal FROM baru
             ON CONFLICT DO NOTHING;
             INSERT INTO jangkauan_kotor (desa_kode)
             SELECT desa_kode FROM lama UNION SELECT desa_kode FROM baru
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION desa_kotor() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO registri_kotor (desa_kode) VALUES (NEW.kode)
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    "DROP TRIGGER IF EXISTS tr_registri_kotor_insert ON registri",
    "CREATE TRIGGER tr_registri_kotor_insert AFTER INSERT ON registri REFERENCING NEW TABLE AS baru "
    "FOR EACH STATEMENT EXECUTE FUNCTION registri_kotor_baru()",
    "DROP TRIGGER IF EXISTS tr_registri_kotor_delete ON registri",
    "CREATE TRIGGER tr_registri_kotor_delete AFTER DELETE ON registri REFERENCING OLD TABLE AS lama "
    "FOR EACH STATEMENT EXECUTE FUNCTION registri_kotor_lama()",
    "DROP TRIGGER IF EXISTS tr_registri_kotor_update ON registri",
    "CREATE TRIGGER tr_registri_kotor_update AFTER UPDATE ON registri "
    "REFERENCING OLD TABLE AS lama NEW TABLE AS baru FOR EACH STATEMENT EXECUTE FUNCTION registri_kotor_ubah()",
    "DROP TRIGGER IF EXISTS tr_impor_kotor ON impor",
    "CREATE TRIGGER tr_impor_kotor AFTER UPDATE OF status ON impor FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION impor_kotor()",
    "DROP TRIGGER IF EXISTS tr_kegiatan_kotor_insert ON kegiatan",
    "CREATE TRIGGER tr_kegiatan_kotor_insert AFTER INSERT ON kegiatan REFERENCING NEW TABLE AS baru "
    "FOR EACH STATEMENT EXECUTE FUNCTION kegiatan_kotor_baru()",
    "DROP TRIGGER IF EXISTS tr_kegiatan_kotor_delete ON kegiatan",
    "CREATE TRIGGER tr_kegiatan_kotor_delete AFTER DELETE ON kegiatan REFERENCING OLD TABLE AS lama "
    "FOR EACH STATEMENT EXECUTE FUNCTION kegiatan_kotor_lama()",
    "DROP TRIGGER IF EXISTS tr_kegiatan_kotor_update ON kegiatan",
    "CREATE TRIGGER tr_kegiatan_kotor_update AFTER UPDATE ON kegiatan "
    "REFERENCING OLD TABLE AS lama NEW TABLE AS baru FOR EACH STATEMENT EXECUTE FUNCTION kegiatan_kotor_ubah()",
    "DROP TRIGGER IF EXISTS tr_desa_kotor ON desa",
    "CREATE TRIGGER tr_desa_kotor AFTER UPDATE OF kecamatan_kode ON desa FOR EACH ROW "
    "WHEN (OLD.kecamatan_kode IS DISTINCT FROM NEW.kecamatan_kode) EXECUTE FUNCTION desa_kotor()",
]


def install(conn: sa.Connection) -> None:
    """Create (or replace) every trigger; idempotent."""
    for statement in (_PG_TRIGGERS if conn.dialect.name == "postgresql" else _SQLITE_TRIGGERS):
        conn.exec_driver_sql(statement)
