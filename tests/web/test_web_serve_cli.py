"""``oclab serve``: arguments, the access token off loopback, and a bad results root."""

from __future__ import annotations

from pathlib import Path

import pytest

from oclab.cli import main


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Capture what would be served instead of serving it."""
    import uvicorn

    seen: dict = {}

    def fake_run(app, host, port, log_level):
        seen.update(app=app, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.delenv("OCLAB_TOKEN", raising=False)
    return seen


def test_loopback_by_default_without_token(
    served: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--results", str(tmp_path)]) == 0
    assert served["host"] == "127.0.0.1" and served["port"] == 8000
    assert served["app"].state.settings.token is None
    assert "token" not in capsys.readouterr().out


def test_other_interfaces_require_a_printed_token(
    served: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123", "--results", str(tmp_path)]) == 0
    token = served["app"].state.settings.token
    assert token and token in capsys.readouterr().out
    assert served["port"] == 8123


def test_token_from_the_environment(
    served: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCLAB_TOKEN", "from-env")
    assert main(["serve", "--host", "0.0.0.0", "--results", str(tmp_path)]) == 0
    assert served["app"].state.settings.token == "from-env"


def test_bad_arguments(served: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    assert main(["serve", "--results", str(not_a_folder)]) == 2
    assert "--results" in capsys.readouterr().err and not served
    for argv in (
        ["serve", "--port", "0"],
        ["serve", "--port", "http"],
        ["serve", "--max-runs", "0"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
