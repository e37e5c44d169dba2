"""What the New post form's options look like as a JSON body, and how a body (JSON or a form)
reaches the form's code: typed by the schema first, then checked by the form itself."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from django import forms
from django.core.validators import RegexValidator
from django.http import HttpRequest
from ninja import Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field
from pydantic import ValidationError as PydanticError

from blogtube_site.api_errors import ErrorOut, FieldErrors
from blogtube_site.query_params import ANY_TEXT
from jobs.forms import FlagField, ProviderField
from providers import services as providers

ERRORS: dict[int, type[Schema]] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429, 502, 503)
}


class OptionsIn(Schema):
    """How the post is written: the New post form's and reprocess's options, each optional
    (not sent: the default, or for reprocess what the job had)."""

    # Strict: a JSON false is no priority 0, a 1 no true, as the document says.
    model_config = ConfigDict(extra="forbid", strict=True)

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
    priority: int | None = Field(None, ge=-1, le=1)  # strict: a JSON false is no 0


class ErrorInfo(Schema):
    code: str
    message: str
    suggestions: list[str]


CUSTOM_PROMPT = providers.CUSTOM_PROMPT_PATTERN  # validate_custom_prompt's rule
# Where the providers go: they change as admin enables and configures them, so each request
# for the document fills them in (with_current_providers) rather than the import.
PROVIDERS = "x-blogtube-providers"


def field_schema(field: forms.Field, pattern: str | None = None) -> dict[str, Any]:
    """What ``field`` accepts as JSON Schema, read from the field itself: its choices, its
    length, its regular expression (``pattern`` when the check is code: a URL's parser)."""
    if isinstance(field, FlagField):
        return {"type": "boolean"}
    if isinstance(field, ProviderField):
        return {PROVIDERS: True}
    if isinstance(field, forms.TypedChoiceField):
        return {"type": "integer", "enum": [field.coerce(value) for value, _ in field.choices]}
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": [value for value, _ in field.choices if value != ""]}
    if isinstance(field, forms.FileField):
        return {"type": "string", "format": "binary"}
    schema: dict[str, Any] = {"type": "string", "pattern": pattern or ANY_TEXT}
    if pattern is None:
        for validator in field.validators:
            if isinstance(validator, RegexValidator):
                schema["pattern"] = validator.regex.pattern
    if field.max_length is not None:
        schema["maxLength"] = field.max_length
    return schema


def body_of(
    form: type[forms.Form],
    *,
    leave_out: tuple[str, ...] = (),
    required: tuple[str, ...] = (),
    patterns: dict[str, str] | None = None,
    upload: bool = False,
    description: str = "",
) -> dict[str, Any]:
    """The OpenAPI request body of a view that reads its body itself (form_input) and hands it
    to ``form``: each field's schema from the form's own, as JSON and as a form (multipart,
    with a file when ``upload``). A field not sent keeps its default."""
    patterns = patterns or {}
    as_json: dict[str, Any] = {}
    as_form: dict[str, Any] = {}
    for name, field in form.base_fields.items():
        if name in leave_out or (isinstance(field, forms.FileField) and not upload):
            continue
        schema = field_schema(field, patterns.get(name))
        pattern = schema.get("pattern")
        if pattern and name not in required and not re.match(pattern, ""):
            # Empty is "not given" (no URL with a file, no translation, the default model).
            schema["pattern"] = f"^$|{schema['pattern']}"
        if name == "provider":
            schema = {PROVIDERS: "json"}
        if name == "style":
            schema["description"] = "custom: written with custom_prompt, which it needs"
        as_form[name] = {**schema, PROVIDERS: "form"} if PROVIDERS in schema else schema
        if isinstance(field, forms.FileField):
            continue
        # In JSON, null is "not given" as well.
        as_json[name] = schema if name in required else {"anyOf": [schema, {"type": "null"}]}
    rules = _custom_style_needs_a_prompt() if "custom_prompt" in as_json else {}
    json_body = {
        "type": "object",
        "properties": as_json,
        "required": list(required),
        "additionalProperties": False,
        **rules,
    }
    form_body = {
        "type": "object",
        "properties": as_form,
        "required": [name for name in required if name in as_form and not upload],
        "additionalProperties": False,
        # Next to a file, the rule stays in words (the style's description): schemathesis
        # cannot judge a conditional on a body with binary in it.
        **({} if upload else rules),
    }
    if description:
        json_body["description"] = form_body["description"] = description
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": json_body},
                "multipart/form-data": {"schema": form_body},
            },
        }
    }


def _custom_style_needs_a_prompt() -> dict[str, Any]:
    # JobOptionsForm.clean: the custom style writes with the person's own prompt.
    return {
        "if": {"properties": {"style": {"const": "custom"}}, "required": ["style"]},
        "then": {
            "properties": {
                "custom_prompt": {"type": "string", "pattern": providers.CUSTOM_PROMPT_WRITTEN}
            },
            "required": ["custom_prompt"],
        },
    }


def with_current_providers(document: Any) -> Any:
    """The OpenAPI ``document`` with the providers a job may name now: each enabled and
    configured one, by slug or id."""
    usable = providers.available_providers()
    return with_providers(document, [p.slug for p in usable], [p.pk for p in usable])


def with_providers(document: Any, slugs: list[str], ids: list[int]) -> Any:
    """``document`` with its provider fields naming these (a form sends an id as text)."""
    by_id = [{"type": "integer", "enum": ids}] if ids else []
    flavours = {
        "json": {"anyOf": [{"type": "string", "enum": slugs}, *by_id]},
        "form": {"type": "string", "enum": slugs + [str(pk) for pk in ids]},
    }

    def fill(node: Any) -> Any:
        if isinstance(node, dict):
            if PROVIDERS in node:
                return {**flavours[node[PROVIDERS]], "description": "A provider's slug or id"}
            return {key: fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fill(item) for item in node]
        return node

    return fill(document)


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
