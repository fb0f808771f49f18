"""Runs launched from the dashboard: the lever form, the study it builds, and background jobs.

A run is the bundled demo study with the analyst's levers as one more scenario (recruitment and
incapacitation multipliers from the restart year on), the ensemble size and the seed. It executes
in a background thread through :func:`oclab.api.execute` (serial engine: the dashboard must stay
responsive and light), which writes the results folder atomically; the study itself is saved next
to the results as ``study.toml``, so ``oclab run RESULTS/study.toml`` reproduces it.

Only one run executes at a time; the ensemble size is capped (``max_runs``).
"""

from __future__ import annotations

import math
import threading
import time
import tomllib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from oclab.core.results import text_writer, write_outputs
from oclab.errors import InputError
from oclab.report.i18n import N_
from oclab.study import Study, study_from_dict
from oclab.web.store import valid_name

STUDY_FILE = "study.toml"
MAX_SEED = 2**32 - 1
#: Lever ranges accepted by the form (multipliers of the demo's parameters).
RECRUITMENT_RANGE = (0.0, 5.0)
INCAPACITATION_RANGE = (0.0, 10.0)
PROGRESS_STEPS = 10


class FormError(ValueError):
    """A form field or query parameter outside what is accepted; ``message`` is translatable."""

    def __init__(self, field: str, message: str, **values: object) -> None:
        self.field = field
        self.message = message
        self.values = values
        super().__init__(f"{field}: {message.format(**values)}")

    def text(self, gettext: Callable[[str], str]) -> str:
        """The message in the reader's language."""
        return gettext(self.message).format(**self.values)


@dataclass(frozen=True)
class RunRequest:
    """A validated run form."""

    name: str
    recruitment: float
    incapacitation: float
    runs: int
    seed: int
    published: bool


def _text(form: Mapping[str, Any], key: str, max_length: int = 64) -> str:
    value = form.get(key, "")
    if not isinstance(value, str):
        raise FormError(key, N_("expected text"))
    value = value.strip()
    if len(value) > max_length:
        raise FormError(key, N_("at most {n} characters"), n=max_length)
    return value


def parse_float(form: Mapping[str, Any], key: str, low: float, high: float) -> float:
    """A finite number within ``[low, high]`` from a form field."""
    raw = _text(form, key, 32)
    try:
        value = float(raw)
    except ValueError:
        raise FormError(key, N_("expected a number, got {got!r}"), got=raw) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise FormError(
            key,
            N_("expected a number from {low} to {high}, got {got}"),
            low=low,
            high=high,
            got=raw,
        )
    return value


def parse_int(form: Mapping[str, Any], key: str, low: int, high: int) -> int:
    """A whole number within ``[low, high]`` from a form field."""
    raw = _text(form, key, 32)
    if not raw.isdigit():
        raise FormError(key, N_("expected a whole number, got {got!r}"), got=raw)
    value = int(raw)
    if not low <= value <= high:
        raise FormError(
            key,
            N_("expected a whole number from {low} to {high}, got {got}"),
            low=low,
            high=high,
            got=value,
        )
    return value


def parse_run_form(form: Mapping[str, Any], max_runs: int) -> RunRequest:
    """Validate the lever form (types, ranges, sizes); :class:`FormError` names the bad field."""
    name = _text(form, "name")
    if not valid_name(name):
        raise FormError(
            "name",
            N_("expected a folder name of letters, digits, '.', '-' or '_' (1 to 64, no '..')"),
        )
    published = _text(form, "published", 8)
    if published not in ("", "on", "1", "true"):
        raise FormError("published", N_("expected a checkbox value"))
    return RunRequest(
        name=name,
        recruitment=parse_float(form, "recruitment", *RECRUITMENT_RANGE),
        incapacitation=parse_float(form, "incapacitation", *INCAPACITATION_RANGE),
        runs=parse_int(form, "runs", 1, max_runs),
        seed=parse_int(form, "seed", 0, MAX_SEED),
        published=bool(published),
    )


def demo_document() -> dict[str, Any]:
    """The bundled demo study as parsed TOML."""
    text = (resources.files("oclab") / "scenarios" / "demo.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def lever_scenario_name(recruitment: float, incapacitation: float) -> str:
    """The name of the analyst's scenario, e.g. ``levers: recruitment x0.5, incapacitation x2``."""
    return f"levers: recruitment x{recruitment:g}, incapacitation x{incapacitation:g}"


def study_document(request: RunRequest) -> dict[str, Any]:
    """The study (as a TOML document) that a run request stands for."""
    doc = demo_document()
    lever = {
        "name": lever_scenario_name(request.recruitment, request.incapacitation),
        "description": "levers set in the oclab dashboard",
        "multiply": {"rho": request.recruitment, "eta": request.incapacitation},
    }
    published = [s for s in doc.get("scenarios", []) if s.get("name") != "baseline"]
    baseline = [s for s in doc.get("scenarios", []) if s.get("name") == "baseline"]
    doc["scenarios"] = baseline + [lever] + (published if request.published else [])
    doc["name"] = request.name
    doc["runs"] = request.runs
    doc["seed"] = request.seed
    # A few chunks per run, so progress is visible (chunks are part of the study: reproducible).
    doc["chunk_runs"] = max(1, math.ceil(request.runs / PROGRESS_STEPS))
    return doc


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def to_toml(doc: Mapping[str, Any]) -> str:
    """A study document as TOML (scalars, arrays, inline tables and ``[[scenarios]]``)."""
    lines = ["# Written by the oclab dashboard; rerun with `oclab run <this file>`."]
    tables = {k: v for k, v in doc.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in doc.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
    for key, value in doc.items():
        if key not in tables and key not in arrays:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, table in tables.items():
        lines += ["", f"[{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    for key, entries in arrays.items():
        for entry in entries:
            lines += ["", f"[[{key}]]"] + [f"{k} = {_toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


@dataclass
class Job:
    """A run in the background and how far it got."""

    id: str
    name: str
    total: int
    done: int = 0
    state: str = "queued"  # queued, running, writing, done, failed
    error: str = ""
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "error": self.error,
        }


class JobManager:
    """Starts runs in background threads, one at a time, and keeps their progress."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def busy(self) -> bool:
        with self._lock:
            return any(j.state in ("queued", "running", "writing") for j in self._jobs.values())

    def submit(self, request: RunRequest, command: str) -> Job:
        """Build the study and start it; :class:`FormError` if the name is taken or a run is on."""
        from oclab.api import prepare  # heavy imports only when a run is launched

        out = self.root / request.name
        doc = study_document(request)
        try:
            study = study_from_dict(doc, f"dashboard:{request.name}")
        except InputError as error:  # should not happen: the form ranges are within the model's
            raise FormError(
                "study", N_("the study is invalid: {error}"), error=str(error)
            ) from None
        with self._lock:
            if any(j.state in ("queued", "running", "writing") for j in self._jobs.values()):
                raise FormError("name", N_("another run is in progress; wait until it ends"))
            if out.exists() or any(j.name == request.name for j in self._jobs.values()):
                raise FormError(
                    "name", N_("a study named {name} already exists"), name=request.name
                )
            chunks = math.ceil(study.runs / study.chunk_runs)
            job = Job(id=uuid.uuid4().hex[:12], name=request.name, total=chunks)
            self._jobs[job.id] = job
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            data = prepare(study, out, "serial")
        except (InputError, OSError) as error:
            job.state, job.error = "failed", str(error)
            return job
        thread = threading.Thread(
            target=self._run, args=(job, study, doc, out, command, data), daemon=True
        )
        thread.start()
        return job

    def _run(
        self, job: Job, study: Study, doc: dict[str, Any], out: Path, command: str, data: Any
    ) -> None:
        from oclab.api import execute

        def progress(chunks: int) -> None:
            job.done = min(job.total, job.done + chunks)
            if job.done >= job.total:
                job.state = "writing"

        job.state = "running"
        try:
            execute(study, out, engine="serial", command=command, progress=progress, data=data)
            write_outputs(out, {STUDY_FILE: text_writer(to_toml(doc))})
            job.state = "done"
        except Exception as error:  # a failed run is reported on its page, not raised in a thread
            job.state, job.error = "failed", f"{type(error).__name__}: {error}"
        finally:
            job.finished = time.monotonic()
