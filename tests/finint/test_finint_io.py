"""AMLworld file formats: round trips, the duplicated header, and bad rows quarantined."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oclab.errors import InputError
from oclab.finint import io

GOOD = (
    "2022/09/01 00:20,010,8000EBD30,010,8000EBD30,3697.34,US Dollar,3697.34,US Dollar,"
    "Reinvestment,0"
)
HEADER = ",".join(io.AML_HEADER)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_csv_round_trip_keeps_every_value(small, small_dir):
    path = small_dir / "Small_Trans.csv"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.split(",").count("Account") == 2  # the published duplicated header
    loaded = io.read_transactions(path)
    assert loaded.quarantine.height == 0
    assert loaded.n_read == small.transactions.height
    assert_frame_equal(loaded.transactions, small.transactions, check_exact=False, abs_tol=0.006)


def test_parquet_round_trip(small, tmp_path):
    io.write_transactions(small.transactions, tmp_path / "t.parquet")
    loaded = io.read_transactions(tmp_path / "t.parquet")
    assert_frame_equal(loaded.transactions, small.transactions)


def test_parquet_with_pandas_style_names(tmp_path):
    table = io.read_transactions(_write(tmp_path / "a.csv", [GOOD, GOOD])).transactions
    names = [*io.AML_HEADER]
    names[4] = "Account.1"  # pandas' name for the second Account column
    renamed = table.rename(dict(zip(io.TX_COLUMNS, names, strict=True)))
    renamed.write_parquet(tmp_path / "p.parquet")
    assert io.read_transactions(tmp_path / "p.parquet").transactions.height == 2


def test_bad_rows_are_quarantined_with_line_and_reason(tmp_path):
    lines = [
        GOOD,
        GOOD.replace("2022/09/01 00:20", "2022-09-01T00:20"),  # line 3
        GOOD.replace("3697.34,US Dollar,Reinvestment", "-5,US Dollar,Reinvestment"),  # line 4
        GOOD.replace("3697.34,US Dollar,3697.34", "abc,US Dollar,3697.34"),  # line 5
        GOOD.replace("US Dollar,Reinvestment", "Doubloon,Reinvestment"),  # line 6
        GOOD.replace("Reinvestment", "Carrier Pigeon"),  # line 7
        GOOD + ",extra",  # line 8
        GOOD.replace(",0", ",7"),  # line 9
        GOOD,
    ]
    loaded = io.read_transactions(_write(tmp_path / "bad.csv", lines))
    assert loaded.n_read == 9
    assert loaded.transactions.height == 2
    q = loaded.quarantine
    assert q["line"].to_list() == [3, 4, 5, 6, 7, 8, 9]
    reasons = q["reason"].to_list()
    assert reasons[0].startswith("Timestamp")
    assert "Amount Paid: expected an amount >= 0" in reasons[1]
    assert reasons[2].startswith("Amount Received: expected a finite number")
    assert reasons[3].startswith("Payment Currency")
    assert reasons[4].startswith("Payment Format")
    assert "11 comma-separated fields" in reasons[5]
    assert reasons[6].startswith("Is Laundering")
    assert loaded.first_bad == (3, reasons[0])
    assert "quarantined 7 (first: line 3: Timestamp" in loaded.describe()
    # The original text of a quarantined row is kept.
    assert q.filter(pl.col("line") == 6)["payment_currency"].item() == "Doubloon"


def test_wrong_header_is_an_input_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Time,From,To,Amount\n1,2,3,4\n", encoding="utf-8")
    with pytest.raises(InputError, match="header"):
        io.read_transactions(path)


def test_nothing_usable_is_an_input_error(tmp_path):
    path = _write(tmp_path / "bad.csv", [GOOD.replace("US Dollar", "Zloty")])
    with pytest.raises(InputError, match="line 2: Receiving Currency"):
        io.read_transactions(path)


def test_patterns_round_trip_and_match_labels(small, small_dir):
    patterns = io.read_patterns(small_dir / "Small_Patterns.txt")
    assert patterns.height == small.patterns.height == small.transactions["is_laundering"].sum()
    assert set(patterns["typology"]) == set(small.patterns["typology"])
    text = (small_dir / "Small_Patterns.txt").read_text(encoding="utf-8")
    assert "BEGIN LAUNDERING ATTEMPT - FAN-OUT:  Max " in text
    assert "END LAUNDERING ATTEMPT - CYCLE" in text
    key = ["ts", "from_account", "to_account", "amount_paid"]
    joined = patterns.join(small.transactions, on=key, how="left", suffix="_t")
    assert joined["is_laundering_t"].to_list() == [1] * patterns.height


def test_patterns_reject_rows_outside_blocks(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text(GOOD + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="BEGIN/END"):
        io.read_patterns(path)


def test_accounts_round_trip(small, small_dir):
    accounts = io.read_accounts(small_dir / "Small_accounts.csv")
    assert accounts.columns == list(io.ACCOUNTS_HEADER)
    assert accounts["Bank ID"].to_list() == small.accounts["Bank ID"].to_list()


def test_padded_values_and_windows_line_ends_are_read(tmp_path):
    """Whitespace around values is stripped (padded rows are parsed again), CRLF is accepted."""
    padded = (
        " 2022/09/01 00:21 ,010, 8000EBD30,010,8000EBD31 ,3697.34, US Dollar,3697.34,"
        "US Dollar ,Reinvestment\t,0"
    )
    bad = GOOD.replace("US Dollar,Reinvestment", "Doubloon,Reinvestment")
    path = tmp_path / "crlf.csv"
    path.write_bytes(("\r\n".join([HEADER, GOOD, padded, bad, GOOD]) + "\r\n").encode())
    loaded = io.read_transactions(path)
    assert loaded.n_read == 4 and loaded.quarantine["line"].to_list() == [4]
    tx = loaded.transactions
    assert tx.height == 3 and tx["is_laundering"].to_list() == [0, 0, 0]
    row = tx.filter(pl.col("to_account") == "8000EBD31").row(0, named=True)
    assert row["from_account"] == "8000EBD30" and row["ts"].minute == 21
    assert str(row["receiving_currency"]) == "US Dollar" and row["payment_format"] == "Reinvestment"


def _careful(path: Path) -> io.Loaded:
    """The row-by-row load (every row validated and explained) that a clean file skips."""
    raw = io._read_parquet_raw(path) if path.suffix == ".parquet" else io._read_columns(path)
    return io.validate(raw, path)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_clean_file_in_one_streaming_pass_gives_the_careful_rows(small, tmp_path, suffix):
    """A clean file skips the row-by-row path, with the same rows and the derived columns."""
    path = tmp_path / f"t.{suffix}"
    io.write_transactions(small.transactions, path)
    derive = {"cents": (pl.col("amount_paid") * 100).round(), "day": pl.col("ts").dt.day()}
    clean = io._read_clean(path, suffix == "parquet", derive)
    assert clean is not None  # the streaming pass was taken
    careful = _careful(path)
    assert_frame_equal(clean.transactions, careful.transactions)
    assert_frame_equal(clean.quarantine, careful.quarantine)
    assert clean.n_read == careful.n_read
    assert_frame_equal(clean.derived, careful.transactions.select(**derive))
    assert_frame_equal(io.read_transactions(path, derive=derive).derived, clean.derived)


def test_a_bad_row_sends_the_file_down_the_careful_path_and_still_derives(tmp_path):
    bad = GOOD.replace("US Dollar,Reinvestment", "Doubloon,Reinvestment")
    padded = GOOD.replace(",8000EBD30,010", ", 8000EBD30,010")
    for name, lines in (("bad.csv", [GOOD, bad, GOOD]), ("padded.csv", [GOOD, padded])):
        path = _write(tmp_path / name, lines)
        assert io._read_clean(path, False, {}) is None
        loaded = io.read_transactions(path, derive={"usd": pl.col("amount_paid")})
        assert loaded.derived["usd"].len() == loaded.transactions.height
    assert loaded.transactions["from_account"].to_list() == ["8000EBD30", "8000EBD30"]


def test_parquet_without_a_column_or_with_one_twice_is_an_input_error(tmp_path):
    table = io.read_transactions(_write(tmp_path / "a.csv", [GOOD])).transactions
    table.drop("payment_format").write_parquet(tmp_path / "missing.parquet")
    with pytest.raises(InputError, match=r"columns.*payment_format"):
        io.read_transactions(tmp_path / "missing.parquet")
    table.with_columns(pl.col("to_account").alias("Account.1")).write_parquet(
        tmp_path / "twice.parquet"
    )
    with pytest.raises(InputError, match="each transaction column once"):
        io.read_transactions(tmp_path / "twice.parquet")
