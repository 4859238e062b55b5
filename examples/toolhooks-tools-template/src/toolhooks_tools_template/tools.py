"""The pack's tools. Replace ``convert_units`` with yours; keep them small and typed.

What the model sees comes from here: the name, the docstring (description and ``Args:``), and
the JSON Schema pydantic builds from the signature (``Literal`` becomes an ``enum``).
"""

from __future__ import annotations

from typing import Literal

import toolhooks

Unit = Literal["mm", "cm", "m", "km", "in", "ft", "mi", "g", "kg", "lb", "oz", "C", "F", "K"]

#: unit -> (dimension, factor to the dimension's base unit)
_LINEAR: dict[str, tuple[str, float]] = {
    "mm": ("length", 0.001),
    "cm": ("length", 0.01),
    "m": ("length", 1.0),
    "km": ("length", 1000.0),
    "in": ("length", 0.0254),
    "ft": ("length", 0.3048),
    "mi": ("length", 1609.344),
    "g": ("mass", 0.001),
    "kg": ("mass", 1.0),
    "lb": ("mass", 0.45359237),
    "oz": ("mass", 0.028349523125),
}
_TO_KELVIN = {
    "C": lambda v: v + 273.15,
    "F": lambda v: (v - 32) * 5 / 9 + 273.15,
    "K": lambda v: v,
}
_FROM_KELVIN = {
    "C": lambda v: v - 273.15,
    "F": lambda v: (v - 273.15) * 9 / 5 + 32,
    "K": lambda v: v,
}


def _dimension(unit: str) -> str:
    return "temperature" if unit in _TO_KELVIN else _LINEAR[unit][0]


@toolhooks.tool
def convert_units(value: float, from_unit: Unit, to_unit: Unit) -> dict[str, object]:
    """Convert a quantity between units of length, mass or temperature.

    Args:
        value: the quantity to convert.
        from_unit: the unit of ``value``.
        to_unit: the unit to convert to (same dimension as ``from_unit``).
    """
    source, target = _dimension(from_unit), _dimension(to_unit)
    if source != target:
        raise toolhooks.InvalidArguments(
            f"Cannot convert {source} ({from_unit}) to {target} ({to_unit}).",
            suggestion=f"Pick a {source} unit for to_unit.",
        )
    if source == "temperature":
        result = _FROM_KELVIN[to_unit](_TO_KELVIN[from_unit](value))
    else:
        result = value * _LINEAR[from_unit][1] / _LINEAR[to_unit][1]
    return {"value": round(result, 6), "unit": to_unit}
