"""Type-safe tool schemas from pydantic models.

The JSON Schema the model sees is generated from the function's signature (here a single pydantic
model), constraints included; the same model validates the model's arguments, and a bad call gets
back every bad field at once, in words it can act on.

Run: uv run --all-packages python examples/typed_schemas.py
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

import toolhooks
from pydantic import BaseModel, Field


class FlightSearch(BaseModel):
    """What to search for."""

    origin: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="IATA code, e.g. LHR")]
    destination: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="IATA code, e.g. JFK")]
    date: dt.date
    passengers: Annotated[int, Field(ge=1, le=9)] = 1
    cabin: Literal["economy", "business", "first"] = "economy"


@toolhooks.tool
def search_flights(query: FlightSearch) -> dict[str, object]:
    """Search flights between two airports on a date."""
    return {
        "route": f"{query.origin}-{query.destination}",
        "date": query.date.isoformat(),
        "cabin": query.cabin,
        "offers": 3,
    }


def main() -> None:
    print("schema the model sees:")
    print(json.dumps(search_flights.to_openai(), indent=2))
    with toolhooks.Runtime(tools=[search_flights], autoload=False) as runtime:
        good = runtime.execute_sync(
            {
                "name": "search_flights",
                "arguments": '{"origin": "LHR", "destination": "JFK", "date": "2026-05-01"}',
            }
        )
        print(f"valid call -> {good.content}")
        bad = runtime.execute_sync(
            {
                "name": "search_flights",
                "arguments": '{"origin": "london", "date": "next friday", '
                '"passengers": 0, "cabin": "luxury"}',
            }
        )
        assert bad.error is not None
        print(f"invalid call -> {bad.error.type}: {bad.error.message}")
        for field in bad.error.fields:
            got = f" (got {field.got})" if field.got is not None else ""
            print(f"  {field.loc}: {field.message}{got}")
        print("the tool message the model receives:")
        print(bad.content)


if __name__ == "__main__":
    main()
