"""toolhooks-validation: check and coerce tool-call arguments before the tool runs, and tell the
model exactly what to fix when they are wrong."""

from __future__ import annotations

from toolhooks_validation._bfcl import (
    BFCL_TYPES,
    normalize_function,
    normalize_name,
    normalize_schema,
)
from toolhooks_validation._messages import field_errors_from_pydantic_with_hints
from toolhooks_validation._schema import SchemaValidator
from toolhooks_validation._settings import ToolValidationSettings, ValidationSettings
from toolhooks_validation.plugin import PLUGIN_NAME, ValidationPlugin

__all__ = [
    "BFCL_TYPES",
    "PLUGIN_NAME",
    "SchemaValidator",
    "ToolValidationSettings",
    "ValidationPlugin",
    "ValidationSettings",
    "field_errors_from_pydantic_with_hints",
    "normalize_function",
    "normalize_name",
    "normalize_schema",
]
