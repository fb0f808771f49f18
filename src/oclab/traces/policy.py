"""Who may read what: roles and sharing policies as configuration, enforced on every read.

Roles: the national trace unit (``national``), state or local police (``police``), a foreign
partner agency (``foreign``), a ``researcher`` and the ``public``. A policy says, for each role,
which trace records it may read (``records``), which aggregates (``aggregates``), whether
personal data (possessor and purchaser names, dates of birth) is shown, and the smallest cell
published in suppressed aggregates.

Two policies ship:

- ``restricted`` -- the Tiahrt situation (appropriations riders from FY2003; CRS RS22458): trace
  data goes only to the requesting agency, for its own investigations; aggregates of one's own
  traces; researchers and the public see only aggregate statistics with small cells suppressed.
- ``open`` -- results reach state and local police: besides their own requests, police read the
  traces of guns recovered in their jurisdiction and all aggregates; researchers read
  de-identified records.

A policy file (TOML) with the same keys replaces them (``--policy FILE``). Scopes: records
``all``, ``own`` (the user's agency), ``own+jurisdiction`` (also traces recovered in the
agency's state), ``none``; aggregates ``all``, ``own``, ``suppressed`` (all traces, cells below
``min_cell`` hidden).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, false, or_, true

from oclab.errors import InputError
from oclab.traces.schema import Agency, TraceRequest

ROLES: tuple[str, ...] = ("national", "police", "foreign", "researcher", "public")
RECORD_SCOPES: tuple[str, ...] = ("all", "own", "own+jurisdiction", "none")
AGGREGATE_SCOPES: tuple[str, ...] = ("all", "own", "suppressed")
#: Roles whose users belong to an agency (and may submit trace requests).
AGENCY_ROLES: tuple[str, ...] = ("national", "police", "foreign")
PERSONAL_FIELDS: tuple[str, ...] = ("possessor_name", "possessor_dob", "purchaser_name")


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user (or the anonymous public) with their role and agency."""

    username: str
    role: str
    user_id: int | None = None
    agency_id: int | None = None
    jurisdiction: str = ""


PUBLIC = Principal(username="(anonymous)", role="public")


@dataclass(frozen=True)
class Policy:
    """A sharing policy: per-role record and aggregate scopes and personal-data visibility."""

    name: str
    records: Mapping[str, str]
    aggregates: Mapping[str, str]
    personal_data: Mapping[str, bool]
    min_cell: int = 10
    submit_roles: tuple[str, ...] = AGENCY_ROLES
    result_roles: tuple[str, ...] = ("national",)
    admin_roles: tuple[str, ...] = ("national",)

    def record_filter(self, who: Principal) -> ColumnElement[bool]:
        """The SQL condition on ``trace_request`` rows that ``who`` may read."""
        scope = self.records[who.role]
        if scope == "all":
            return true()
        if scope == "none" or who.agency_id is None:
            return false()
        own = TraceRequest.agency_id == who.agency_id
        if scope == "own+jurisdiction" and who.jurisdiction:
            return or_(own, TraceRequest.recovery_state == who.jurisdiction)
        return own

    def aggregate_filter(self, who: Principal) -> ColumnElement[bool]:
        """The SQL condition on rows that enter ``who``'s aggregates."""
        scope = self.aggregates[who.role]
        if scope in ("all", "suppressed"):
            return true()
        if who.agency_id is None:
            return false()
        return TraceRequest.agency_id == who.agency_id

    def suppressed(self, who: Principal) -> bool:
        """Whether ``who``'s aggregates hide cells smaller than :attr:`min_cell`."""
        return self.aggregates[who.role] == "suppressed"

    def shows_personal_data(self, who: Principal) -> bool:
        return bool(self.personal_data[who.role])


RESTRICTED = Policy(
    name="restricted",
    records={
        "national": "all",
        "police": "own",
        "foreign": "own",
        "researcher": "none",
        "public": "none",
    },
    aggregates={
        "national": "all",
        "police": "own",
        "foreign": "own",
        "researcher": "suppressed",
        "public": "suppressed",
    },
    personal_data={
        "national": True,
        "police": True,
        "foreign": True,
        "researcher": False,
        "public": False,
    },
)
OPEN = Policy(
    name="open",
    records={
        "national": "all",
        "police": "own+jurisdiction",
        "foreign": "own",
        "researcher": "all",
        "public": "none",
    },
    aggregates={
        "national": "all",
        "police": "all",
        "foreign": "own",
        "researcher": "all",
        "public": "suppressed",
    },
    personal_data={
        "national": True,
        "police": True,
        "foreign": True,
        "researcher": False,
        "public": False,
    },
)
POLICIES: dict[str, Policy] = {"restricted": RESTRICTED, "open": OPEN}


def load_policy(name_or_path: str | Path) -> Policy:
    """A shipped policy by name, or one read from a TOML file with the same keys."""
    if str(name_or_path) in POLICIES:
        return POLICIES[str(name_or_path)]
    path = Path(name_or_path)
    if not path.is_file():
        raise InputError(path, "policy", f"one of {', '.join(POLICIES)} or a TOML policy file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, "policy", f"a TOML file ({error})") from None
    for key, allowed in (("records", RECORD_SCOPES), ("aggregates", AGGREGATE_SCOPES)):
        table = data.get(key)
        if not isinstance(table, dict) or set(table) != set(ROLES):
            raise InputError(path, key, f"a table with one entry per role: {', '.join(ROLES)}")
        for role, scope in table.items():
            if scope not in allowed:
                raise InputError(path, f"{key}.{role}", f"one of {', '.join(allowed)}", scope)
    personal = data.get("personal_data", {})
    if not isinstance(personal, dict) or not set(personal) <= set(ROLES):
        raise InputError(path, "personal_data", "a table of role = true|false")
    min_cell = data.get("min_cell", 10)
    if not isinstance(min_cell, int) or min_cell < 1:
        raise InputError(path, "min_cell", "a whole number >= 1", min_cell)
    return Policy(
        name=str(data.get("name", path.stem)),
        records=data["records"],
        aggregates=data["aggregates"],
        personal_data={role: bool(personal.get(role, False)) for role in ROLES},
        min_cell=min_cell,
    )


def principal_of(username: str, role: str, user_id: int, agency: Agency | None) -> Principal:
    """The principal of a stored user."""
    return Principal(
        username=username,
        role=role,
        user_id=user_id,
        agency_id=agency.id if agency else None,
        jurisdiction=agency.jurisdiction if agency else "",
    )
