"""Package data: the config schema, the registry of outputs, the report templates."""

from __future__ import annotations

from importlib import resources


def read_resource(name: str) -> str:
    """The text of a file in this folder, wherever the package is installed (wheel or editable)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
