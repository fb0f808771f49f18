"""The models oclab knows, by name.

A model is a module exposing ``NAME``, ``SUMMARY``, ``PARAMS`` (a
:class:`~oclab.core.params.ParamSet`), ``OUTCOMES`` (name → meaning), ``OPTIONS`` (option →
allowed values, first is the default), ``load_data(path)``, ``init(data, params, n, rng,
**options)``, ``step(state, params, weeks, rng)``, ``observe(state, params)`` and, for models with
groups, ``group_members(state)`` and ``group_labels(data)``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from oclab.errors import InputError

#: Model modules; each one's ``NAME`` is the name used in study files and on the command line.
MODEL_MODULES: tuple[str, ...] = (
    "oclab.models.cartels",
    "oclab.models.demand",
    "oclab.models.integrated",
)

MODELS: dict[str, ModuleType] = {
    module.NAME: module for module in map(importlib.import_module, MODEL_MODULES)
}


def get_model(name: str, source: str = "model") -> ModuleType:
    """The model module called ``name``, or an :class:`InputError` listing the known ones."""
    if name not in MODELS:
        raise InputError(source, "model", f"one of {', '.join(sorted(MODELS))}", name)
    return MODELS[name]
