"""A page's settings in the URL, so a teacher can share exactly what the class should see.

Settings are a frozen dataclass; each field is checked against a ``Limit`` or a
tuple of choices. Values from a URL are never trusted: a number out of range
is clamped, anything unreadable falls back to the default, and each fix comes
back as a warning for the page to show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from dropout_viz.core.limits import Limit

Settings = TypeVar("Settings")
Rule = Limit | tuple  # a numeric range, or the allowed values


def _parse_one(text: str, default: Any, rule: Rule, name: str) -> tuple[Any, str | None]:
    if isinstance(rule, tuple):
        return (
            (text, None)
            if text in rule
            else (
                default,
                f"{name} {text!r} is not one of {', '.join(map(str, rule))}; using {default}.",
            )
        )
    kind = type(rule.default)
    try:
        value = kind(float(text)) if kind is int else kind(text)
    except ValueError:
        return default, f"{name} {text!r} is not a number; using {default}."
    return rule.clamp(value)


def from_query(
    cls: type[Settings], query: Mapping[str, str], rules: Mapping[str, Rule]
) -> tuple[Settings, list[str]]:
    """Settings from query parameters (missing ones take their defaults) and the fixes made."""
    defaults = cls()
    values, warnings = {}, []
    for field in dataclasses.fields(cls):
        if field.name not in query or field.name not in rules:
            continue
        default, rule, text = getattr(defaults, field.name), rules[field.name], query[field.name]
        if isinstance(default, tuple):  # a list of numbers, e.g. one rate per layer: "0.5,0.2"
            parsed = [_parse_one(t, rule.default, rule, rule.name) for t in text.split(",") if t]
            values[field.name] = tuple(v for v, _ in parsed)
            warnings += [w for _, w in parsed if w]
        else:
            label = (
                rule.name if isinstance(rule, Limit) else field.name.replace("_", " ").capitalize()
            )
            values[field.name], warning = _parse_one(text, default, rule, label)
            if warning:
                warnings.append(warning)
    return dataclasses.replace(defaults, **values), warnings


def to_query(settings: Any) -> dict[str, str]:
    """Only what differs from the defaults, so shared links stay short."""
    defaults = type(settings)()
    query = {}
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if value != getattr(defaults, field.name):
            query[field.name] = (
                ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
            )
    return query
