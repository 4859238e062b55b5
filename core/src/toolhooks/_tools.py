"""Tools: ``@tool`` for functions, :meth:`Tool.from_schema` for raw JSON Schema."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import re
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, get_type_hints, overload

import pydantic
import pydantic_core
from pydantic import BaseModel, ConfigDict

from toolhooks._errors import InvalidArguments, field_errors_from_pydantic

__all__ = ["TOOL_NAME_RE", "Tool", "check_tool_name", "tool"]

#: OpenAI's rule for function names (chat.completions and Responses alike).
TOOL_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

F = TypeVar("F", bound=Callable[..., Any])


def check_tool_name(name: str) -> str:
    """Return *name* if OpenAI accepts it as a function name, else raise ``ValueError``."""
    if not isinstance(name, str) or not TOOL_NAME_RE.match(name):
        raise ValueError(
            f"invalid tool name {name!r}: use 1-64 letters, digits, '_' or '-' "
            "(OpenAI's ^[a-zA-Z0-9_-]{1,64}$); toolhooks never renames a tool silently"
        )
    return name


class Tool:
    """A function the model may call, with its name, description and JSON Schema.

    Build one with :func:`tool` (from a Python function) or :meth:`Tool.from_schema` (from raw
    JSON Schema). A ``Tool`` is immutable once built and may be shared by several runtimes.

    :ivar side_effects: ``False`` for a read-only tool; ``True`` for one that changes the world.
        The retry plugin does not retry a tool with side effects after an ambiguous failure unless
        it is ``idempotent``; the cache plugin caches read-only tools only, by default.
    :ivar cacheable: ``False`` for a read-only tool whose answer changes from call to call with
        the same arguments (the current time, live data): caches leave it alone unless config
        opts it in.
    :ivar plugin: the plugin that registered the tool (set at registration).
    """

    __slots__ = (
        "_bind",
        "arguments_model",
        "cacheable",
        "description",
        "fn",
        "idempotent",
        "is_async",
        "max_concurrency",
        "meta",
        "name",
        "parameters",
        "plugin",
        "schema_hash",
        "side_effects",
        "tags",
        "timeout",
    )

    def __init__(
        self,
        *,
        name: str,
        description: str,
        parameters: Mapping[str, Any],
        fn: Callable[..., Any] | str | None,
        bind: Callable[[dict[str, Any], bool], Any] | None = None,
        arguments_model: type[BaseModel] | None = None,
        timeout: float | None = None,
        side_effects: bool = False,
        idempotent: bool = False,
        cacheable: bool = True,
        max_concurrency: int | None = None,
        tags: Iterable[str] = (),
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = check_tool_name(name)
        self.description = description
        if parameters.get("type", "object") != "object":
            raise ValueError(f"tool {name!r}: parameters must be a JSON Schema of type 'object'")
        self.parameters: dict[str, Any] = dict(parameters)
        self.fn = fn
        self.is_async = _is_async(fn) if callable(fn) else False
        self._bind = bind
        #: The pydantic model that validates the arguments (``None`` for schema-first tools).
        self.arguments_model = arguments_model
        if timeout is not None and timeout <= 0:
            raise ValueError(f"tool {name!r}: timeout must be positive, got {timeout!r}")
        if max_concurrency is not None and max_concurrency < 1:
            raise ValueError(f"tool {name!r}: max_concurrency must be at least 1")
        self.timeout = timeout
        self.side_effects = side_effects
        self.idempotent = idempotent
        self.cacheable = cacheable
        self.max_concurrency = max_concurrency
        self.tags = frozenset(tags)
        self.meta: dict[str, Any] = dict(meta or {})
        self.plugin: str | None = None
        canonical = json.dumps(
            {"name": self.name, "parameters": self.parameters},
            sort_keys=True,
            separators=(",", ":"),
        )
        #: Changes whenever the name or the schema changes (the cache keys on it).
        self.schema_hash = hashlib.sha256(canonical.encode()).hexdigest()[:16]

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_schema(
        cls,
        name: str,
        description: str,
        parameters: Mapping[str, Any],
        fn: Callable[[dict[str, Any]], Any] | str | None,
        **options: Any,
    ) -> Tool:
        """A schema-first tool: *parameters* is raw JSON Schema, as MCP servers hand it over.

        *fn* receives the arguments as one ``dict`` (JSON Schema keys need not be Python
        identifiers). It may be sync or async, or a ``"package.module:function"`` string that is
        imported on the first call, so listing tools never imports a tool's dependencies; it may
        be ``None`` when an executor plugin runs the tool. The core checks only that the
        arguments are a JSON object; the validation plugin checks them against the schema.

        *options* are those of :func:`tool`.
        """
        return cls(name=name, description=description, parameters=parameters, fn=fn, **options)

    # -- calling ---------------------------------------------------------------------------

    @property
    def schema_first(self) -> bool:
        """True for a tool built from raw JSON Schema (its function takes one ``dict``)."""
        return self._bind is None

    def bind(self, arguments: dict[str, Any], *, strict: bool = False) -> Any:
        """Validate *arguments* with the tool's own model; return what :meth:`call` takes.

        :param strict: pydantic strict mode, as for JSON input (no ``"5"`` for ``5``, but enum
            values and ISO dates as strings); lax by default.
        :raises InvalidArguments: listing every bad field, with pydantic's ``ValidationError`` as
            its ``validation_error``. For schema-first tools the arguments pass through unchanged.
        """
        if self._bind is None:
            return arguments
        return self._bind(arguments, strict)

    def canonical_arguments(self, bound: Any) -> dict[str, Any]:
        """The validated arguments (defaults filled in, values coerced) as a JSON object: what a
        cache keys on. *bound* is what :meth:`bind` returned."""
        if self._bind is None:
            return bound  # type: ignore[no-any-return]
        args, kwargs = bound
        if args and isinstance(args[0], BaseModel) and not kwargs:
            return args[0].model_dump(mode="json")
        if not args and len(kwargs) == 1:
            (only,) = kwargs.values()
            if isinstance(only, BaseModel) and self.arguments_model is type(only):
                return only.model_dump(mode="json")
        names = list(self.parameters.get("properties", {}))
        merged = {**dict(zip(names, args, strict=False)), **kwargs}
        jsonable: dict[str, Any] = pydantic_core.to_jsonable_python(merged)
        return jsonable

    def call(self, bound: Any) -> Any:
        """Call the function with bound arguments (a coroutine for async tools)."""
        fn = self.fn
        if isinstance(fn, str):
            fn = self.fn = _import_target(fn)
            self.is_async = _is_async(fn)
        if fn is None:
            raise RuntimeError(f"tool {self.name!r} has no function and no executor plugin ran it")
        if self._bind is None:
            return fn(bound)
        args, kwargs = bound
        return fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Tool {self.name!r} from {self.plugin or 'the application'}>"

    def to_openai(self) -> dict[str, Any]:
        """The chat.completions ``tools`` entry for this tool, non-strict (see ``toolhooks.openai``
        for strict schemas)."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


def _is_async(fn: Any) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - callable objects with async __call__
    )


def _import_target(target: str) -> Callable[..., Any]:
    module, _, attr = target.partition(":")
    if not attr:
        raise ValueError(f"tool target {target!r} must look like 'package.module:function'")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"tool target {target!r} is not callable")
    return obj  # type: ignore[no-any-return]


# -- @tool ---------------------------------------------------------------------------------


@overload
def tool(
    fn: F,
    /,
    *,
    name: str | None = ...,
    description: str | None = ...,
    timeout: float | None = ...,
    side_effects: bool = ...,
    idempotent: bool = ...,
    cacheable: bool = ...,
    max_concurrency: int | None = ...,
    tags: Iterable[str] = ...,
) -> Tool: ...


@overload
def tool(
    *,
    name: str | None = ...,
    description: str | None = ...,
    timeout: float | None = ...,
    side_effects: bool = ...,
    idempotent: bool = ...,
    cacheable: bool = ...,
    max_concurrency: int | None = ...,
    tags: Iterable[str] = ...,
) -> Callable[[F], Tool]: ...


def tool(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = None,
    side_effects: bool = False,
    idempotent: bool = False,
    cacheable: bool = True,
    max_concurrency: int | None = None,
    tags: Iterable[str] = (),
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Turn a sync or async function into a :class:`Tool`.

    The name is the function's name; the description and each parameter's description come from
    the docstring (Google, NumPy and reST styles); the JSON Schema comes from the signature
    through pydantic, so ``Annotated[..., Field(...)]`` constraints, ``Enum``, ``Literal``,
    nested models, ``Optional`` and defaults all work. A function whose single parameter is a
    pydantic model takes that model's schema.

    :param name: the tool's name (default: the function's ``__name__``).
    :param description: overrides the docstring's description.
    :param timeout: seconds per attempt (overrides the configured ``timeout``).
    :param side_effects: ``True`` if the tool changes the world (decides what may be retried or
        cached).
    :param idempotent: ``True`` if repeating a call with side effects is harmless.
    :param cacheable: ``False`` if the answer changes between identical calls (the time, live
        data): caches skip the tool unless config opts it in.
    :param max_concurrency: how many calls of this tool may run at once.
    :param tags: labels to select groups of tools (for example when offering tools to a model).

    The function stays callable through the returned tool's ``fn`` attribute.
    """

    def build(func: Callable[..., Any]) -> Tool:
        return _tool_from_function(
            func,
            name=name,
            description=description,
            timeout=timeout,
            side_effects=side_effects,
            idempotent=idempotent,
            cacheable=cacheable,
            max_concurrency=max_concurrency,
            tags=tags,
        )

    return build if fn is None else build(fn)


_ARGS_CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=False)


def _tool_from_function(
    func: Callable[..., Any], *, name: str | None, description: str | None, **options: Any
) -> Tool:
    if isinstance(func, Tool):
        raise TypeError(f"{func!r} is already a tool")
    doc_description, param_docs = _parse_docstring(inspect.getdoc(func) or "")
    tool_name = str(name if name is not None else getattr(func, "__name__", ""))
    sig = inspect.signature(func)
    try:  # parameters only: the return annotation plays no part and may be a local name
        annotations = dict(getattr(func, "__annotations__", {}))
        annotations.pop("return", None)
        shim = types.SimpleNamespace(
            __annotations__=annotations, __globals__=getattr(func, "__globals__", {})
        )
        hints = get_type_hints(shim, include_extras=True)
    except Exception as exc:  # an unresolvable forward reference
        raise TypeError(f"tool {tool_name!r}: cannot resolve type hints: {exc}") from exc
    params = [p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TypeError(
                f"tool {tool_name!r}: *args and **kwargs cannot be described to a model"
            )

    single = _single_model_param(params, hints)
    if single is not None:
        model: type[BaseModel] = hints[single.name]
        schema = _inline_root_ref(_clean_schema(model.model_json_schema()))
        bind = _model_binder(model, single)
    else:
        fields: dict[str, Any] = {}
        for p in params:
            annotation = hints.get(p.name, Any)
            default = ... if p.default is p.empty else p.default
            doc = param_docs.get(p.name)  # an Annotated Field(description=...) wins over it
            field_info = (
                pydantic.Field(default, description=doc) if doc else pydantic.Field(default)
            )
            fields[p.name] = (annotation, field_info)
        model = pydantic.create_model(f"{tool_name}_arguments", __config__=_ARGS_CONFIG, **fields)
        schema = _clean_schema(model.model_json_schema())
        bind = _fields_binder(model, params)
    schema.setdefault("properties", {})
    return Tool(
        name=tool_name,
        description=description if description is not None else doc_description,
        parameters=schema,
        fn=func,
        bind=bind,
        arguments_model=model,
        **options,
    )


def _single_model_param(params: list[inspect.Parameter], hints: dict[str, Any]) -> Any:
    if len(params) != 1:
        return None
    annotation = hints.get(params[0].name)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return params[0]
    return None


def _raise_invalid(exc: pydantic.ValidationError) -> Any:
    fields = field_errors_from_pydantic(exc.errors(include_url=False))
    names = ", ".join(f.loc or "(arguments)" for f in fields)
    error = InvalidArguments(
        f"{len(fields)} invalid argument{'s' if len(fields) != 1 else ''}: {names}",
        fields=fields,
        suggestion="Fix the listed fields to match the tool's parameters and call it again.",
    )
    error.validation_error = exc  # for validators that explain errors better
    raise error from None


def _validator(model: type[BaseModel]) -> Callable[[dict[str, Any], bool], Any]:
    """Lax: Python-mode validation of the parsed arguments. Strict: JSON-mode, because strict
    Python mode refuses what JSON cannot carry ("red" for an Enum, "2026-01-02" for a date)."""
    core = model.__pydantic_validator__

    def validate(arguments: dict[str, Any], strict: bool) -> Any:
        if strict:
            return core.validate_json(pydantic_core.to_json(arguments), strict=True)
        return core.validate_python(arguments)

    return validate


def _model_binder(
    model: type[BaseModel], param: inspect.Parameter
) -> Callable[[dict[str, Any], bool], Any]:
    validate = _validator(model)
    positional = param.kind is not param.KEYWORD_ONLY
    name = param.name

    def bind(arguments: dict[str, Any], strict: bool) -> Any:
        try:
            instance = validate(arguments, strict)
        except pydantic.ValidationError as exc:
            return _raise_invalid(exc)
        return ((instance,), {}) if positional else ((), {name: instance})

    return bind


def _fields_binder(
    model: type[BaseModel], params: list[inspect.Parameter]
) -> Callable[[dict[str, Any], bool], Any]:
    validate = _validator(model)
    positional_only = [p.name for p in params if p.kind is p.POSITIONAL_ONLY]

    def bind(arguments: dict[str, Any], strict: bool) -> Any:
        try:
            kwargs = validate(arguments, strict).__dict__
        except pydantic.ValidationError as exc:
            return _raise_invalid(exc)
        if not positional_only:
            return (), kwargs  # a fresh instance's own dict: nobody else holds it
        kwargs = dict(kwargs)
        return tuple(kwargs.pop(n) for n in positional_only), kwargs

    return bind


def _clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's generated ``title`` keys (tokens the model does not need)."""

    def walk(node: Any, in_properties: bool = False) -> Any:
        if isinstance(node, dict):
            return {
                k: walk(v, in_properties=(k in ("properties", "$defs") and not in_properties))
                for k, v in node.items()
                if in_properties or k != "title"
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    cleaned: dict[str, Any] = walk(schema)
    return cleaned


def _inline_root_ref(schema: dict[str, Any]) -> dict[str, Any]:
    """A recursive model's schema is ``{"$ref": "#/$defs/X", "$defs": ...}``: models and OpenAI
    want the root to be the object itself (the ``$defs`` stay for the recursion)."""
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return schema
    defs = schema.get("$defs", {})
    root = defs.get(ref.removeprefix("#/$defs/"))
    if not isinstance(root, dict):
        return schema
    return {
        **root,
        "$defs": defs,
        **{k: v for k, v in schema.items() if k not in ("$ref", "$defs")},
    }


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    if not doc:
        return "", {}
    import docstring_parser

    parsed = docstring_parser.parse(doc)
    text = parsed.short_description or ""
    if parsed.long_description:  # a short description wrapped onto two lines is one paragraph
        gap = "\n\n" if parsed.blank_after_short_description else "\n"
        text = f"{text}{gap}{parsed.long_description}"
    params = {p.arg_name: " ".join(p.description.split()) for p in parsed.params if p.description}
    return _reflow(text.strip()), params


_LIST_ITEM = re.compile(r"\s*([-*•]|\d+[.)])\s")


def _reflow(text: str) -> str:
    """Join the lines of each wrapped paragraph (line breaks from source wrapping are noise to a
    model); keep paragraphs, list items and indented blocks as they are."""
    out = []
    for para in re.split(r"\n[ \t]*\n", text):
        lines = para.splitlines()
        if any(_LIST_ITEM.match(line) or line[:1] in (" ", "\t") for line in lines):
            out.append(para)
        else:
            out.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(out)
