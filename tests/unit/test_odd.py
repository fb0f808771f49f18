"""ODD documents carry the parameter tables generated from code, never stale copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from oclab.models.registry import MODELS
from oclab.odd import BEGIN, parameter_block, synced

DOCS = Path(__file__).resolve().parents[2] / "docs" / "odd"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_has_an_up_to_date_odd(name: str) -> None:
    path = DOCS / f"{name}.md"
    assert path.is_file(), f"missing {path}"
    text = path.read_text(encoding="utf-8")
    assert BEGIN in text
    assert synced(text, name) == text, "run `python -m oclab.odd` to regenerate the table"
    for parameter in MODELS[name].PARAMS:
        assert f"`{parameter.name}`" in parameter_block(name)
