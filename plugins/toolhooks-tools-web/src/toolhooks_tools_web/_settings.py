"""The ``[plugins.toolhooks-tools-web]`` settings."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["WebSettings"]


class WebSettings(BaseModel):
    """Settings of the web tools (``[plugins.toolhooks-tools-web]``)."""

    model_config = ConfigDict(extra="forbid")

    allow_hosts: list[str] = Field(
        default_factory=list,
        description="Host names that may be fetched whatever they resolve to (internal sites); "
        "'*.example.com' matches subdomains. Addresses of these hosts are not checked.",
    )
    allow_networks: list[str] = Field(
        default_factory=list,
        description="CIDRs that may be fetched although not public (e.g. '10.1.0.0/16'). A cloud "
        "metadata address is allowed only by an entry naming exactly it ('169.254.169.254/32').",
    )
    max_bytes: int = Field(
        default=2_000_000,
        ge=1024,
        description="Body bytes read at most; the rest is not downloaded.",
    )
    max_chars: int = Field(
        default=100_000,
        ge=100,
        description="Ceiling for the tool's max_chars argument (characters).",
    )
    timeout_s: float = Field(
        default=20.0, gt=0, description="Seconds for a whole fetch, redirects and body included."
    )
    connect_timeout_s: float = Field(
        default=10.0, gt=0, description="Seconds to connect to a server."
    )
    max_redirects: int = Field(default=5, ge=0, le=20, description="Redirects followed at most.")
    max_links: int = Field(
        default=40, ge=0, le=100, description="Links of an HTML page returned at most."
    )
    user_agent: str = Field(
        default="toolhooks-tools-web/0.1 (+https://pypi.org/project/toolhooks-tools-web/)",
        min_length=1,
        description="The User-Agent header.",
    )

    @field_validator("allow_networks")
    @classmethod
    def _check_networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not a CIDR network such as '10.0.0.0/8'") from None
        return value
