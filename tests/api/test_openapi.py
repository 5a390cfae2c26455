"""The OpenAPI document (issue 9, point 8): two different enums never share a component name, so a client generated
from /api/openapi.json offers tickets the ticket channels and payments the payment channels."""

from __future__ import annotations

import enum
import typing
from collections import defaultdict

from pydantic import BaseModel

from wuye.api import api as ninja_api
from wuye.billing.models import Channel as PaymentChannel
from wuye.workorders.models import Channel as TicketChannel


def _enums_in(annotation, found: set, seen: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _enums_in(field.annotation, found, seen)
    for argument in typing.get_args(annotation):
        _enums_in(argument, found, seen)


def _api_enums() -> set:
    found, seen = set(), set()
    for router in ninja_api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    _enums_in(model, found, seen)
    return found


def test_no_two_enums_share_a_component_name():
    by_name = defaultdict(set)
    for choices in _api_enums():
        by_name[choices.__name__].add(tuple(member.value for member in choices))
    shared = {name: values for name, values in by_name.items() if len(values) > 1}
    assert not shared
    assert len(by_name) >= 8  # the walk does find the API's enums


def _api_models() -> set:
    found, seen = set(), set()
    for router in ninja_api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    _models_in(model, found, seen)
    return found


def _models_in(annotation, found: set, seen: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, found, seen)
    for argument in typing.get_args(annotation):
        _models_in(argument, found, seen)


def test_no_two_schemas_share_a_component_name():
    """Components are keyed by class name: a second `ActionIn` (rectification actions) silently replaced the
    ticket actions' schema in /api/openapi.json, so the document described one route with the other's body."""
    by_name = defaultdict(set)
    for model in _api_models():
        if model.__module__.startswith("wuye."):
            by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: where for name, where in by_name.items() if len(where) > 1}
    assert not shared
    assert {"TicketIn", "RectificationActionIn", "StandardCategoryIn"} <= set(by_name)  # the walk finds them


def test_ticket_channel_lists_the_ticket_channels(client):
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]

    def enum_of(schema_name, field):
        prop = schemas[schema_name]["properties"][field]
        ref = prop.get("$ref") or next(o["$ref"] for o in prop.get("anyOf", prop.get("allOf", [])) if "$ref" in o)
        return schemas[ref.rsplit("/", 1)[-1]]["enum"]

    assert enum_of("TicketIn", "channel") == list(TicketChannel.values)
    assert enum_of("PaymentIn", "channel") == list(PaymentChannel.values)
    assert "patrol" in enum_of("TicketIn", "channel") and "cash" not in enum_of("TicketIn", "channel")
