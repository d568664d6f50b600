"""Errors a researcher can act on: each carries one plain paragraph naming what to fix."""


class InputError(Exception):
    """Bad input data or mapping: the run stops with this message and a non-zero exit."""


class ConfigError(InputError):
    """The configuration is invalid or inconsistent."""
