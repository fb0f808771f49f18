"""The SQL store, on SQLite and PostgreSQL: records keep their provenance, case numbers and
people's ids are keyed hashes, the key is never stored, re-imports are skipped, another key is
refused, quarantined rows are kept as line and problem, and indicators read from the store
equal those read from the files."""

from __future__ import annotations

import hashlib
import hmac

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import inspect, text

from oclab.cli import main
from oclab.errors import InputError
from oclab.observatory.indicators import court_anomalies, indicators
from oclab.observatory.io import load_folder
from oclab.observatory.store import MODELS, ObservatoryStore, upgrade

KEY = b"0123456789abcdef-test-key"
RAW_IDS = ("K1", "K8", "D-1", "D-5", "J-1", "J-3", "P-1", "P-3")


def pseudonym(value: str, key: bytes = KEY) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:24]


def all_text(engine) -> str:
    """Every value of every observatory table, as text."""
    parts = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            if table.startswith("obs_"):
                rows = connection.execute(text(f"SELECT * FROM {table}")).all()
                parts += [str(v) for row in rows for v in row]
    return "\n".join(parts)


@pytest.fixture
def stored(engine, fixture_folder):
    data, report = load_folder(fixture_folder)
    store = ObservatoryStore(engine)
    summary = store.import_dataset(data, report, KEY, str(fixture_folder))
    return store, summary, data


def test_records_are_pseudonymised_with_provenance(stored, engine, fixture_folder):
    store, summary, _ = stored
    assert summary.stored == {"courts": 2, "cases": 8, "charges": 7, "defendants": 5}
    cases = store.frame("cases")
    k1 = cases.filter(pl.col("case_id") == pseudonym("K1")).row(0, named=True)
    assert (k1["judge_id"], k1["prosecutor_id"]) == (pseudonym("J-1"), pseudonym("P-1"))
    assert (k1["source"], k1["source_line"]) == ("fixture", 2)
    assert k1["source_file"] == str(fixture_folder / "cases.csv")
    defendants = store.frame("defendants")
    assert set(defendants["defendant_id"]) == {pseudonym(f"D-{i}") for i in range(1, 6)}
    for table in MODELS:
        frame = store.frame(table)
        provenance = frame.select("source", "source_file", "source_line", "batch_id")
        assert provenance.null_count().sum_horizontal().item() == 0, table
        assert set(frame["batch_id"]) == {summary.batch_id}
    everything = all_text(engine)
    for raw in RAW_IDS:
        assert f"\n{raw}\n" not in f"\n{everything}\n", raw
    assert KEY.decode() not in everything  # the key is never written
    assert pseudonym("K1") in everything


def test_indicators_from_the_store_equal_those_from_the_files(stored):
    store, _, data = stored
    from_db = store.dataset()
    for level in ("state", "court"):
        assert_frame_equal(indicators(from_db, level), indicators(data, level))
    for outcome in ("dismissal", "conviction"):
        a = court_anomalies(from_db, outcome).sort("court_id")
        b = court_anomalies(data, outcome).sort("court_id")
        assert_frame_equal(a, b)


def test_reimport_is_skipped_and_another_key_refused(stored, fixture_folder):
    store, _, _ = stored
    data, report = load_folder(fixture_folder)
    again = store.import_dataset(data, report, KEY, "again")
    assert again.stored == {"courts": 0, "cases": 0, "charges": 0, "defendants": 0}
    assert again.already_stored == {"courts": 2, "cases": 8, "charges": 7, "defendants": 5}
    with pytest.raises(InputError, match="key: expected the pseudonymisation key"):
        store.import_dataset(data, report, b"another key of sixteen bytes", "other")
    assert store.frame("cases").height == 8
    assert store.version() == (2, again.batch_id)


def test_quarantined_rows_are_kept_as_line_and_problem(engine, tables, tmp_path):
    bad = "Q1,AAA,C9,accusatorial,2020-01-10,,2020-02-01,,,pending,J-7,,x\n"  # unknown court
    folder = tables.write(tmp_path / "bad", tables.CASES + bad)
    data, report = load_folder(folder)
    store = ObservatoryStore(engine)
    summary = store.import_dataset(data, report, KEY, str(folder))
    assert summary.quarantined["cases"] == 1
    entries = store.quarantine()
    assert entries.select("table", "source_line", "problem").to_dicts() == [
        {"table": "cases", "source_line": 10, "problem": "court_id: unknown court"}
    ]
    everything = all_text(engine)
    assert "Q1" not in everything.split("\n") and "J-7" not in everything


def test_tables_sit_beside_the_registry_and_upgrade_is_idempotent(engine):
    upgrade(engine)  # already at head: nothing to do
    names = set(inspect(engine).get_table_names())
    assert {"app_user", "api_token", "access_log", "alembic_version"} <= names
    ours = {n for n in names if n.startswith("obs_")}
    assert ours == {
        "obs_alembic_version",
        "obs_import_batch",
        "obs_court",
        "obs_case",
        "obs_charge",
        "obs_defendant",
        "obs_quarantine",
    }
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM obs_alembic_version")).scalar()
    assert version == "obs0001"


def test_cli_init_store_and_missing_key(tmp_path, fixture_folder, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.delenv("OCLAB_OBSERVATORY_KEY", raising=False)
    key_file = tmp_path / "key"
    key_file.write_bytes(KEY + b"\n")
    args = ["observatory", "store", str(fixture_folder), "--db", url, "--key-file", str(key_file)]
    assert main(args) == 2
    assert "--db: expected an initialised store" in capsys.readouterr().err
    assert main(["observatory", "init-db", "--db", url]) == 0
    assert main(["observatory", "store", str(fixture_folder), "--db", url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "$OCLAB_OBSERVATORY_KEY: key: expected a secret" in err[0]
    assert main(args) == 0
    assert "cases: 8 stored" in capsys.readouterr().out
    from oclab.traces import db

    engine = db.make_engine(url)
    assert ObservatoryStore(engine).frame("cases")["case_id"].to_list()[0] == pseudonym("K1")
    engine.dispose()
