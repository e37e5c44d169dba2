"""The JSON API's destinations (/api/v1/destinations/...): the Destinations page in JSON.

A destination's secret goes in when it is made and never comes out: answers carry only
whether one is set. Another person's destination is a 404 like a made-up one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from blogtube_site.api_errors import ErrorOut, FieldErrors
from publishing import services
from publishing.forms import DestinationForm

router = Router(tags=["destinations"])
ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404, 422)}


class DestinationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=100)
    kind: Literal["wordpress", "ghost", "forem", "static"]
    site_url: str = Field("", max_length=500, description="Empty for dev.to and static sites")
    username: str = Field("", max_length=150, description="WordPress: the account's user name")
    secret: str = Field(
        "",
        max_length=500,
        description="WordPress: an application password; Ghost: the Admin API key (id:secret); "
        "dev.to: an API key. Stored encrypted, never returned.",
    )
    generator: Literal["", "hugo", "jekyll", "astro"] = ""


class DestinationOut(Schema):
    id: int
    name: str
    kind: str
    site_url: str
    username: str
    generator: str
    secret: str = Field(description="Whether a key is set; never the key")
    checked_at: dt.datetime | None
    check_ok: bool | None
    check_message: str


class CheckOut(Schema):
    ok: bool
    message: str


@router.get("", response={200: list[DestinationOut], **ERRORS}, summary="Your destinations")
def list_destinations(request: HttpRequest) -> list[dict[str, Any]]:
    mine = services.destinations_for(request.user).filter(owner=request.user)
    return [d.as_dict() for d in mine[:500]]


@router.post("", response={201: DestinationOut, **ERRORS}, summary="Add a destination")
def create_destination(request: HttpRequest, payload: DestinationIn) -> Status:
    form = DestinationForm(payload.model_dump(), owner=request.user)
    if not form.is_valid():
        raise FieldErrors({name: list(errors) for name, errors in form.errors.items()})
    return Status(201, form.save().as_dict())


@router.post(
    "/{int:destination_id}/check",
    response={200: CheckOut, **ERRORS},
    summary="Ask the site whether the credentials may publish",
)
def check_destination(request: HttpRequest, destination_id: int) -> dict[str, Any]:
    destination = get_object_or_404(services.destinations_for(request.user), pk=destination_id)
    ok, message = services.check(destination)
    return {"ok": ok, "message": message}


@router.delete(
    "/{int:destination_id}", response={204: None, **ERRORS}, summary="Delete a destination"
)
def delete_destination(request: HttpRequest, destination_id: int) -> Status:
    destination = get_object_or_404(services.destinations_for(request.user), pk=destination_id)
    destination.delete()
    return Status(204, None)
