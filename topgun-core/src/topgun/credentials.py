"""Loading and checking the ``apis`` credentials.

Where they come from, highest precedence first: the ``apis`` argument (a mapping, or a path to a
JSON file of that shape); ``apis.json`` in the current directory; the JSON file named by the
environment variable ``TOPGUN_APIS`` (or, when that is unset, ``PYBOTTERS_APIS``, as pybotters
reads it); otherwise none. Every problem is a ``CredentialError`` raised
at ``Client(...)`` time that names the API name and what is wrong, and never the secret itself.
A file must be a regular file of at most 1 MiB (``credentials_file``).
"""

from __future__ import annotations

import codecs
import difflib
import logging
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import orjson

from ._caller import warn_at_caller
from .credential import Credential
from .credentials_file import read_credential_file
from .errors import CredentialError, CredentialFileError, UnknownApiNameWarning
from .plugin.specs import ApiSpec

# Credential is re-exported: it is what load_credentials returns, and exchanges name it from here.
__all__ = [
    "APIS_ENV_VAR",
    "IMPLICIT_FILE",
    "PYBOTTERS_APIS_ENV_VAR",
    "Credential",
    "load_credentials",
]

log = logging.getLogger("topgun.credentials")

APIS_ENV_VAR = "TOPGUN_APIS"
PYBOTTERS_APIS_ENV_VAR = "PYBOTTERS_APIS"
"""Read when ``TOPGUN_APIS`` is unset, so a setup made for pybotters keeps its credentials."""
IMPLICIT_FILE = "apis.json"


def load_credentials(
    apis: Mapping[str, Any] | str | os.PathLike[str] | None,
    specs: Mapping[str, ApiSpec],
) -> dict[str, Credential]:
    """Resolve where the credentials come from, then check each entry against its plugin's spec."""
    mapping, origin = _resolve(apis)
    if mapping:
        log.info("topgun credentials for %s loaded from %s", ", ".join(sorted(mapping)), origin)
    return {
        name: _check(name, value, specs.get(name), specs, origin, mapping)
        for name, value in mapping.items()
    }


def _resolve(apis: object) -> tuple[Mapping[str, Any], str]:
    if apis is None:
        implicit = Path.cwd() / IMPLICIT_FILE
        if implicit.is_file():
            return _read_file(
                implicit
            ), f"{implicit} (implicit: {IMPLICIT_FILE} in the current directory)"
        for variable in (APIS_ENV_VAR, PYBOTTERS_APIS_ENV_VAR):
            env_path = os.environ.get(variable)
            if env_path:
                return _read_file(
                    Path(env_path), f"the file named by ${variable}"
                ), f"${variable}={env_path}"
        return {}, "nowhere"
    if isinstance(apis, Mapping):
        return dict(apis), "the apis argument"
    if isinstance(apis, (str, os.PathLike)):
        path = Path(apis)
        return _read_file(path), str(path)
    raise CredentialError(
        f"apis must be a dict like {{'API_NAME': ['KEY', 'SECRET']}} or a path to a JSON file of that "
        f"shape, not {type(apis).__name__}"
    )


def _read_file(path: Path, what: str = "the apis file") -> Mapping[str, Any]:
    try:
        raw = read_credential_file(path)
    except FileNotFoundError:
        raise CredentialError(
            f"{what} {str(path)!r} does not exist; create it or pass apis= explicitly"
        ) from None
    except CredentialFileError as exc:
        raise CredentialError(f"{what} {str(path)!r} {exc}") from None
    except OSError as exc:
        raise CredentialError(f"{what} {str(path)!r} cannot be read: {exc.strerror}") from None
    raw = _utf8(raw)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # The position is useful; the text around it could be a secret, so it is not shown.
        raise CredentialError(
            f"{what} {str(path)!r} is not valid JSON (line {exc.lineno}, column {exc.colno}); "
            'expected {"API_NAME": ["KEY", "SECRET"], ...}'
        ) from None
    if not isinstance(data, dict):
        raise CredentialError(
            f"{what} {str(path)!r} must hold a JSON object mapping API names to lists of strings, "
            f"not a JSON {type(data).__name__}"
        )
    return data


def _utf8(raw: bytes) -> bytes:
    """The file's bytes as BOM-less UTF-8: Windows editors write a UTF-8 BOM, or UTF-16 text."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16").encode()
        except UnicodeError:
            return raw  # reported as invalid JSON below
    return raw.removeprefix(codecs.BOM_UTF8)


def _check(
    name: object,
    value: object,
    spec: ApiSpec | None,
    specs: Mapping[str, ApiSpec],
    origin: str,
    loaded: Collection[object] = (),
) -> Credential:
    if not isinstance(name, str):
        raise CredentialError(
            f"apis ({origin}): API names must be strings, got {type(name).__name__}"
        )
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise CredentialError(
            f"apis[{name!r}] ({origin}) must be a list of strings such as "
            f"{_shape(spec) if spec else '[KEY, SECRET]'}; got {_describe(value)}"
        )
    if spec is None:
        warn_at_caller(_unknown_name_message(name, specs, loaded), UnknownApiNameWarning)
        return Credential(name, value)
    low, high = len(spec.fields), len(spec.fields) + len(spec.optional_fields)
    if not low <= len(value) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        hint = f" {spec.hint}" if spec.hint else ""
        raise CredentialError(
            f"apis[{name!r}] ({origin}) needs {expected} strings {_shape(spec)}, got {len(value)}.{hint}"
        )
    if any(not v for v in value[:low]):
        raise CredentialError(
            f"apis[{name!r}] ({origin}) has an empty string where {_shape(spec)} is expected"
        )
    if spec.check is not None:
        try:
            spec.check(tuple(value))
        except ValueError as exc:
            hint = f" {spec.hint}" if spec.hint else ""
            raise CredentialError(f"apis[{name!r}] ({origin}): {exc}.{hint}") from None
    return Credential(name, value)


def _unknown_name_message(
    name: str, specs: Mapping[str, ApiSpec], loaded: Collection[object]
) -> str:
    known = ", ".join(sorted(specs)) or "none (no exchange plugin is installed)"
    by_lower = {known_name.lower(): known_name for known_name in specs}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    head = f"apis[{name!r}]: no installed topgun plugin declares this API name, so nothing is signed with it."
    if close:
        match = by_lower[close[0]]
        if match in loaded:
            return f"{head} Did you mean {match!r} (also given)? Known API names: {known}."
        return (
            f"{head} Did you mean {match!r}? As written, requests to {match!r}'s hosts go out "
            f"unsigned, since no credential is loaded under {match!r}. Known API names: {known}."
        )
    return (
        f"{head} Requests to that exchange go out unsigned until a plugin declaring {name!r} is "
        f"installed (`topgun exchanges` lists what is installed). Known API names: {known}."
    )


def _shape(spec: ApiSpec | None) -> str:
    if spec is None:
        return "[KEY, SECRET]"
    names = list(spec.fields) + [f"{f} (optional)" for f in spec.optional_fields]
    return "[" + ", ".join(names) + "]"


def _describe(value: object) -> str:
    if isinstance(value, (list, tuple)):
        kinds = sorted({type(v).__name__ for v in value})
        return f"a {type(value).__name__} of {len(value)} items ({', '.join(kinds) or 'empty'})"
    return f"a {type(value).__name__}"
