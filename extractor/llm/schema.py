"""The structured output the model must return. Every number cites a source token by id."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"


class LLMCell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: str = Field(description="column name: the lowest header cell of the column")
    token: str = Field(description="id of the source token holding this number, e.g. T12")
    printed: str = Field(description="the number exactly as printed in that token")


class LLMRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(description="the printed row label (name)")
    code: str | None = Field(default=None, description="classification code when printed (3/5/7 digits)")
    cells: list[LLMCell]


class LLMTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="one of the table kinds listed in the instructions")
    columns: list[str]
    rows: list[LLMRow]


def response_schema() -> dict:
    """The JSON schema sent as the response format: every property required, no defaults, no extra
    properties (what strict structured-output endpoints accept). The reply is validated against
    ``LLMTable`` by us, so malformed output comes back as text to re-ask with, not as an exception."""

    def clean(node: object) -> object:
        if isinstance(node, dict):
            out = {k: clean(v) for k, v in node.items() if k != "default"}
            props = out.get("properties")
            if out.get("type") == "object" and isinstance(props, dict):
                out["required"] = list(props)
                out["additionalProperties"] = False
            return out
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    schema = clean(LLMTable.model_json_schema())
    assert isinstance(schema, dict)
    schema["title"] = "LLMTable"
    schema["description"] = "One table mapped to rows of cells; every number cites a source token."
    return schema
