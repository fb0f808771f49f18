"""Argument types and printers shared by the ``oclab`` commands.

argparse reports a bad value of these types as a usage error (one line, exit status 2).

>>> whole_number(1)("3")
3
>>> whole_number(1, 10)("0")
Traceback (most recent call last):
argparse.ArgumentTypeError: expected a whole number from 1 to 10, got '0'
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from oclab.core.params import ParamSet


def whole_number(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type for a whole number in ``[minimum, maximum]`` (either may be open)."""
    if minimum is not None and maximum is not None:
        expected = f"a whole number from {minimum} to {maximum}"
    elif minimum is not None:
        expected = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
    else:
        expected = "a whole number"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


def positive_number(text: str) -> float:
    """An argparse type for a finite number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def print_params(params: ParamSet, fmt: str = "table") -> None:
    """Print a parameter set as a readable list, a Markdown table or CSV."""
    if fmt == "markdown":
        print(params.markdown_table(), end="")
        return
    if fmt == "csv":
        import polars as pl

        print(pl.DataFrame(params.table()).write_csv(), end="")
        return
    for row in params.table():
        print(
            f"{row['name']}  [{row['unit']}]  default {row['default']:.6g}  "
            f"range {row['low']:.6g}–{row['high']:.6g} ({row['prior']})"
        )
        print(f"    {row['description']}\n    source: {row['source']}")
