"""Bad input: the error every command turns into one line and exit code 2, and how messages are worded."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from sim.scenario import Scenario

_BARE_KEY = re.compile(r"[A-Za-z0-9_.-]+")


class InputError(Exception):
    """Bad user input: a missing file, a bad key or value. The CLI exits with code 2.

    The message is always one line: characters that are not printable (a newline or escape code
    in a file name or value) are shown escaped, as Python writes them in a string.
    """

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def one_line(text: str) -> str:
    """``text`` with every character that is not printable (newline, escape codes) shown escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def shown_value(value: Any) -> str:
    """A value as an error message shows it: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _key_text(part: str | int) -> str:
    """One part of a key path as a message shows it: bare when it is a plain key, quoted otherwise."""
    text = str(part)
    return text if _BARE_KEY.fullmatch(text) else shown_value(text)


def submodel(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside a field's annotation (``Model``, ``Model | None``, ``list[Model]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        model = submodel(arg)
        if model is not None:
            return model
    return None


def _section_model(root: type[BaseModel], path: tuple[Any, ...]) -> type[BaseModel] | None:
    """Return the pydantic model that holds the keys at ``path`` (a key path of sections and list items)."""
    model: type[BaseModel] | None = root
    for part in path:
        if model is None:
            return None
        if isinstance(part, int):  # an item of a list of tables: same model
            continue
        if part not in model.model_fields:
            return None
        model = submodel(model.model_fields[part].annotation)
    return model


def nearest(word: str, known: Sequence[str], cutoff: float = 0.5) -> str | None:
    """The entry of ``known`` closest to a misspelt ``word``, if any is close enough."""
    near = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return near[0] if near else None


def unknown_key(key: str, known: Sequence[str], what: str = "key") -> str:
    """Say that ``key`` is unknown, suggesting the nearest of ``known`` (or listing them)."""
    near = nearest(key, known)
    hint = f"did you mean '{near}'?" if near else f"allowed {what}s: {', '.join(known)}"
    return f"unknown {what}; {hint}"


MOVED_KEYS = {
    "population.barrier_prevalence.language": "weak Danish now follows background: set "
    "population.language_by_background (danish_origin, immigrant, descendant) instead",
}
"""Keys that older files may still hold, with where their meaning went."""


def _allowed(err: dict[str, Any], root: type[BaseModel]) -> str:
    """Say what is allowed for one pydantic error, suggesting the nearest key for a misspelling."""
    loc = err["loc"]
    moved = MOVED_KEYS.get(".".join(str(part) for part in loc))
    if err["type"] == "extra_forbidden" and moved:
        return f"no longer a key; {moved}"
    if err["type"] == "extra_forbidden":
        section = _section_model(root, loc[:-1])
        return unknown_key(str(loc[-1]), list(section.model_fields) if section else [])
    if err["type"] == "missing":
        return "required key is missing"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[0].lower() + msg[1:] if msg else msg


def _rank(err: dict[str, Any]) -> int:
    # A misspelt key explains the "missing" error of the key it meant, so it comes first.
    return {"extra_forbidden": 0, "missing": 2}.get(err["type"], 1)


def first_error(error: ValidationError) -> dict[str, Any]:
    """The most useful error of a ValidationError: unknown keys first, missing keys last."""
    return min(error.errors(), key=_rank)


def format_validation_error(
    source: str, error: ValidationError, root: type[BaseModel] = Scenario, prefix: str = ""
) -> str:
    """Turn the most useful error of a pydantic ValidationError into one line.

    Args:
        source: The file (or ``command line``) the data came from.
        error: The validation error.
        root: The model validated, to find the section of a misspelt key.
        prefix: Key path of ``root`` within the file (e.g. ``target.3.options``).
    """
    err = first_error(error)
    key = ".".join([*([prefix] if prefix else []), *(_key_text(p) for p in err["loc"])]) or "(top level)"
    value = err.get("input")
    shown = "" if isinstance(value, dict) or err["type"] == "missing" else f" = {shown_value(value)}"
    more = len(error.errors()) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{source}: {key}{shown}: {_allowed(err, root)}{tail}"
