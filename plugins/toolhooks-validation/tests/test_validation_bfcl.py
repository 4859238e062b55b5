"""The BFCL sample: every ground-truth call through a real runtime, after normalisation.

The corpus is a verbatim copy of the team's shared sample, kept next to these tests with its
attribution README (``corpora/bfcl``), so the suite runs from any clone; a missing file is a
failure, never a skip. The counts in the README come from ``test_bfcl_counts`` (run pytest with
``-s`` to see them printed).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from toolhooks import TOOL_NAME_RE, Config, Runtime, Tool, ToolCall, ToolResult
from toolhooks_validation import SchemaValidator, ValidationPlugin, normalize_function
from toolhooks_validation._bfcl import default_fits

CORPUS = Path(__file__).resolve().parent / "corpora" / "bfcl"
FILES = (
    "BFCL_v4_simple_python.json",
    "BFCL_v4_multiple.json",
    "BFCL_v4_parallel.json",
    "BFCL_v4_parallel_multiple.json",
)

#: Ground-truth calls the corpus README lists as anomalies that stay invalid after expansion
#: (first non-"" alternative): record id -> the locations refused.
KNOWN_REFUSED = {
    "simple_python_307": {"venue"},  # true for a string
    "parallel_152": {"mod"},  # null for a number (both calls)
    "parallel_multiple_21": {"x", "y"},  # "data['sales']" for an array of numbers
    "parallel_multiple_94": {f"elements[{i}]" for i in range(5)},  # strings for integers
    "parallel_multiple_12": {"permeability"},  # not a parameter
    "parallel_multiple_26": {"type"},  # not a parameter
}
#: README anomalies where a required parameter lists "" among its alternatives: the first
#: non-"" alternative is valid, omitting the parameter is refused (tested below).
REQUIRED_EMPTY = (
    "simple_python_17",
    "simple_python_200",
    "parallel_88",
    "parallel_multiple_87",
    "parallel_multiple_119",
)
#: README anomalies with enum values of another case or spelling among the alternatives.
ENUM_SPELLING = ("multiple_76", "parallel_multiple_194")
#: Listed by the corpus README as an anomaly "in this sample", but the record is not in it.
LISTED_BUT_ABSENT = ("parallel_multiple_173",)


@dataclass
class Record:
    id: str
    functions: dict[str, dict[str, Any]]  # BFCL name -> normalised function
    calls: list[tuple[str, dict[str, Any]]]  # (BFCL name, {param: [alternatives]})


@dataclass
class Counts:
    records: int = 0
    functions: int = 0
    dotted_names: int = 0
    dropped_defaults: int = 0
    calls: int = 0
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    mutations: Counter[str] = field(default_factory=Counter)


def _load() -> list[Record]:
    if not CORPUS.is_dir():
        pytest.fail(
            f"BFCL corpus not found at {CORPUS}: it ships with the repository; restore it with "
            "git checkout",
            pytrace=False,
        )
    records = []
    for name in FILES:
        answers = {}
        for line in (CORPUS / "possible_answer" / name).read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                answers[row["id"]] = row["ground_truth"]
        for line in (CORPUS / name).read_text("utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            functions = {f["name"]: f for f in row["function"]}
            calls = [next(iter(c.items())) for c in answers[row["id"]]]
            records.append(Record(row["id"], functions, calls))
    return records


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return _load()


def _first(alternatives: list[Any]) -> tuple[bool, Any]:
    for alt in alternatives:
        if alt != "":
            return True, alt
    return False, None


def expand(value: Any) -> Any:
    """Ground truth -> one concrete call: the first non-"" alternative of each parameter,
    parameters with only "" omitted; dicts are alternative maps at every level."""
    if isinstance(value, dict):
        out = {}
        for key, alternatives in value.items():
            present, alt = _first(alternatives)
            if present:
                out[key] = expand(alt)
        return out
    if isinstance(value, list):
        return [expand(v) for v in value]
    return value


def _runtime(record: Record) -> Runtime:
    tools = []
    for fn in record.functions.values():
        norm = normalize_function(fn)
        tools.append(Tool.from_schema(norm["name"], norm["description"], norm["parameters"], dict))
    return Runtime(Config(), tools=tools, plugins=[ValidationPlugin], autoload=False)


async def _call(rt: Runtime, bfcl_name: str, arguments: dict[str, Any]) -> ToolResult:
    name = normalize_function({"name": bfcl_name})["name"]
    return await rt.execute(ToolCall(name, json.dumps(arguments)))


def _locs(result: ToolResult) -> set[str]:
    assert result.error is not None
    return {f.loc for f in result.error.fields}


# -- normalisation -------------------------------------------------------------------------


def test_every_function_normalises_to_valid_json_schema(records: list[Record]) -> None:
    seen = 0
    for record in records:
        for fn in record.functions.values():
            norm = normalize_function(fn)
            assert TOOL_NAME_RE.match(norm["name"]), norm["name"]
            assert "." not in norm["name"]
            jsonschema.Draft202012Validator.check_schema(norm["parameters"])
            text = json.dumps(norm["parameters"])
            assert '"dict"' not in text
            assert '"float"' not in text
            assert '"tuple"' not in text
            assert '"optional"' not in text
            seen += 1
    assert seen > 500


def test_normalise_rules() -> None:
    raw = {
        "type": "dict",
        "optional": [],
        "properties": {
            "point": {"type": "tuple", "items": {"type": "float"}},
            "anything": {"type": "any", "description": "whatever"},
            "flag": {"type": "boolean", "default": "false"},
            "tags": {"type": "array", "items": {"type": "string"}, "default": "None"},
            "n": {"type": "integer", "default": 3, "optional": True},
            "meta": {"type": "dict"},
            "ghost_required": {"type": "string"},
        },
        "required": ["point", "not_a_property"],
    }
    norm = normalize_function({"name": "geo.point.make", "parameters": raw})
    assert norm["name"] == "geo_point_make"
    assert norm["bfcl_name"] == "geo.point.make"
    schema = norm["parameters"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["point"]
    props = schema["properties"]
    assert props["point"] == {"type": "array", "items": {"type": "number"}}
    assert props["anything"] == {"description": "whatever"}
    assert "default" not in props["flag"]
    assert "default" not in props["tags"]
    assert props["n"] == {"type": "integer", "default": 3}
    assert props["meta"] == {"type": "object"}  # free-form map stays open
    with pytest.raises(ValueError, match="unknown BFCL type"):
        normalize_function(
            {"name": "x", "parameters": {"type": "dict", "properties": {"a": {"type": "char"}}}}
        )


def test_readme_anomaly_ids_are_in_the_sample(records: list[Record]) -> None:
    ids = {r.id for r in records}
    listed = set(KNOWN_REFUSED) | set(REQUIRED_EMPTY) | set(ENUM_SPELLING)
    assert listed <= ids
    assert not set(LISTED_BUT_ABSENT) & ids  # if it appears, move it to ENUM_SPELLING


# -- ground truth ---------------------------------------------------------------------------


async def _ground_truth(records: list[Record], counts: Counts) -> dict[str, set[str]]:
    refused: dict[str, set[str]] = {}
    for record in records:
        async with _runtime(record) as rt:
            for bfcl_name, params in record.calls:
                counts.calls += 1
                result = await _call(rt, bfcl_name, expand(params))
                if result.ok:
                    counts.accepted += 1
                    assert result.value == json.loads(result.content)
                else:
                    assert result.error is not None
                    assert result.error.type == "invalid_arguments", result.content
                    refused.setdefault(record.id, set()).update(_locs(result))
                    counts.refused[record.id] += 1
    return refused


async def test_ground_truth_accepted_except_known_anomalies(records: list[Record]) -> None:
    counts = Counts()
    refused = await _ground_truth(records, counts)
    assert refused == KNOWN_REFUSED
    assert counts.calls - counts.accepted == sum(counts.refused.values())
    assert counts.calls == 605
    print(f"\nBFCL ground truth: {counts.accepted} of {counts.calls} calls accepted; refused:")
    print(json.dumps(dict(counts.refused)))


def test_strict_mode_refuses_the_same_calls(records: list[Record]) -> None:
    refused: set[str] = set()
    for record in records:
        for bfcl_name, params in record.calls:
            schema = normalize_function(record.functions[bfcl_name])["parameters"]
            validator = SchemaValidator(schema, strict=True)
            if validator.field_errors(expand(params)):
                refused.add(record.id)
    assert refused == set(KNOWN_REFUSED)


async def test_required_parameter_with_empty_alternative(records: list[Record]) -> None:
    by_id = {r.id: r for r in records}
    checked = 0
    for rid in REQUIRED_EMPTY:
        record = by_id[rid]
        async with _runtime(record) as rt:
            for bfcl_name, params in record.calls:
                required = record.functions[bfcl_name]["parameters"].get("required", [])
                for key, alternatives in params.items():
                    if "" not in alternatives or key not in required:
                        continue
                    args = expand(params)
                    args.pop(key, None)  # the "" alternative: omit it
                    result = await _call(rt, bfcl_name, args)
                    assert result.error is not None
                    (field_error,) = [f for f in result.error.fields if f.loc == key]
                    assert field_error.message.startswith("required field is missing")
                    checked += 1
    assert checked >= len(REQUIRED_EMPTY)


async def test_enum_spelling_alternatives_refused_with_a_hint(records: list[Record]) -> None:
    by_id = {r.id: r for r in records}
    checked = 0
    for rid in ENUM_SPELLING:
        record = by_id[rid]
        async with _runtime(record) as rt:
            for bfcl_name, params in record.calls:
                props = record.functions[bfcl_name]["parameters"]["properties"]
                for key, alternatives in params.items():
                    allowed = props.get(key, {}).get("enum")
                    if not allowed:
                        continue
                    for alt in alternatives:
                        if alt == "" or alt in allowed:
                            continue
                        args = {**expand(params), key: alt}
                        result = await _call(rt, bfcl_name, args)
                        assert result.error is not None
                        (fe,) = [f for f in result.error.fields if f.loc == key]
                        assert fe.expected is not None
                        assert all(json.dumps(a) in fe.expected for a in allowed)
                        close = [a for a in allowed if a.lower() == str(alt).lower()]
                        if close:
                            assert f"did you mean {close[0]!r}" in fe.message
                        checked += 1
    assert checked >= len(ENUM_SPELLING)


# -- mutations -------------------------------------------------------------------------------

_WRONG = {
    "string": 12345,
    "integer": "abc",
    "number": "abc",
    "boolean": "maybe",
    "array": "abc",
    "object": "abc",
}


async def _mutations(records: list[Record], counts: Counts) -> None:
    for record in records:
        if record.id in KNOWN_REFUSED:
            continue
        async with _runtime(record) as rt:
            for bfcl_name, params in record.calls:
                schema = normalize_function(record.functions[bfcl_name])["parameters"]
                props = schema["properties"]
                good = expand(params)
                for key, value in good.items():
                    kind = props[key].get("type")
                    if kind in _WRONG:
                        result = await _call(rt, bfcl_name, {**good, key: _WRONG[kind]})
                        assert key in _locs(result), result.content
                        counts.mutations["wrong type"] += 1
                    if "enum" in props[key]:
                        bad = "definitely-not-allowed"
                        result = await _call(rt, bfcl_name, {**good, key: bad})
                        assert key in _locs(result), result.content
                        counts.mutations["enum violation"] += 1
                    del value
                for key in schema.get("required", []):
                    args = copy.deepcopy(good)
                    args.pop(key, None)
                    result = await _call(rt, bfcl_name, args)
                    assert key in _locs(result), result.content
                    counts.mutations["missing required"] += 1
                if props:
                    first = next(iter(props))
                    typo = first + "s" if first + "s" not in props else first + "_x"
                    result = await _call(rt, bfcl_name, {**good, typo: good.get(first, 1)})
                    assert result.error is not None
                    (fe,) = [f for f in result.error.fields if f.loc == typo]
                    assert fe.message.startswith("unknown field")
                    counts.mutations["unknown key"] += 1


async def test_mutated_calls_are_refused(records: list[Record]) -> None:
    counts = Counts()
    await _mutations(records, counts)
    assert set(counts.mutations) == {
        "wrong type",
        "enum violation",
        "missing required",
        "unknown key",
    }
    assert min(counts.mutations.values()) > 20
    print(f"\nBFCL mutated calls refused: {json.dumps(dict(counts.mutations))}")


def test_bfcl_schema_counts(records: list[Record]) -> None:
    """Prints the schema numbers quoted in the README (``pytest -s``)."""
    counts = Counts(records=len(records))
    for record in records:
        for fn in record.functions.values():
            counts.functions += 1
            counts.dotted_names += "." in fn["name"]
            for sub in _walk(fn["parameters"]):
                if "default" in sub and not default_fits(sub["default"], _kind(sub)):
                    counts.dropped_defaults += 1
    print(
        f"\nBFCL: {counts.records} records, {counts.functions} function definitions, "
        f"{counts.dotted_names} dotted names, {counts.dropped_defaults} mistyped defaults dropped"
    )
    assert counts.records == 350
    assert counts.dropped_defaults == 23  # the corpus README's count


def _walk(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = [schema]
    for sub in (schema.get("properties") or {}).values():
        out += _walk(sub)
    if isinstance(schema.get("items"), dict):
        out += _walk(schema["items"])
    return out


def _kind(schema: dict[str, Any]) -> str | None:
    from toolhooks_validation import BFCL_TYPES

    return BFCL_TYPES.get(str(schema.get("type")))
