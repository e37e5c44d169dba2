"""What the New post form's options look like as a JSON body, and how a body (JSON or a form)
reaches the form's code: typed by the schema first, then checked by the form itself."""

from __future__ import annotations

import json
from typing import Any, Literal

from django import forms
from django.http import HttpRequest
from ninja import Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field
from pydantic import ValidationError as PydanticError

from blogtube_site.api_errors import ErrorOut, FieldErrors

ERRORS: dict[int, type[Schema]] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429, 502, 503)
}


class OptionsIn(Schema):
    """How the post is written: the New post form's and reprocess's options, each optional
    (not sent: the default, or for reprocess what the job had)."""

    model_config = ConfigDict(extra="forbid")

    provider: str | int | None = Field(None, description="A provider's slug or id")
    model: str | None = None
    style: str | None = None
    custom_prompt: str | None = None
    tone: str | None = None
    length: str | None = None
    write_language: str | None = Field(None, description="'' writes in the transcript's")
    toc: bool | None = None
    timestamps: bool | None = None
    embed: bool | None = None
    pictures: bool | None = Field(
        None, description="The video's thumbnail as cover and a frame per section (default on)"
    )


class JobIn(OptionsIn):
    """A new job: a YouTube URL (JSON), or a transcript file (multipart, ``transcript_file``)."""

    url: str | None = None
    language: str | None = Field(None, description="en, a list such as de,en, or auto")
    force_speech: bool | None = None
    translate_to: str | None = None
    output_format: Literal["markdown", "html", "text", "json"] | None = None
    priority: Literal[-1, 0, 1] | None = None


class ErrorInfo(Schema):
    code: str
    message: str
    suggestions: list[str]


def body_of(schema: type[Schema], *, upload: bool = False) -> dict[str, Any]:
    """The OpenAPI request body of a view that reads its body itself (form_input)."""
    fields = schema.model_json_schema()
    form = {**fields, "properties": dict(fields["properties"])}
    if upload:
        form["properties"]["transcript_file"] = {"type": "string", "format": "binary"}
    return {
        "requestBody": {
            "content": {
                "application/json": {"schema": fields},
                "multipart/form-data": {"schema": form},
            },
        }
    }


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def form_input(request: HttpRequest, schema: type[OptionsIn]) -> tuple[dict[str, Any], Any]:
    """(data, files) for a form, from a JSON body or a multipart one; the JSON's types checked
    by ``schema`` first, so a form never sees a list where it expects a word."""
    if request.content_type in FORM_TYPES:
        # A browser's form may carry its CSRF token as a field.
        unknown = set(request.POST) - set(schema.model_fields) - {"csrfmiddlewaretoken"}
        if unknown:
            raise FieldErrors({name: ["Unknown field."] for name in sorted(unknown)})
        return request.POST, request.FILES
    try:
        body = json.loads(request.body or b"{}")
    # Not JSON, not UTF-8, a number too long for int(), or arrays nested deeper than the stack.
    except (ValueError, RecursionError):
        raise HttpError(400, "The body is not JSON.") from None
    if not isinstance(body, dict):
        raise HttpError(400, "The body must be a JSON object.")
    try:
        parsed = schema.model_validate(body)
    except PydanticError as error:
        fields: dict[str, list[str]] = {}
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "__all__"
            fields.setdefault(name, []).append(item["msg"])
        raise FieldErrors(fields) from None
    return parsed.model_dump(exclude_unset=True), None


def refuse(form: forms.Form) -> FieldErrors:
    return FieldErrors({name: list(errors) for name, errors in form.errors.items()})
