"""Hostile input on every API route (issue 9, point 8): one field at a time gets a NUL byte, an id beyond 64 bits
or an implausible date, on every operation the OpenAPI document lists — the answer is a 4xx naming that field
(or a 404 for a path id), never a 500."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from wuye.api import api as ninja_api

HUGE = 2**64  # beyond signed 64 bits: what SQLite and PostgreSQL's bigint hold
BAD = {
    "nul": {"string": "x\x00y"},
    "id": {"integer": HUGE},
    "far": {"date": "9999-12-31", "date-time": "9999-12-31T23:59:59+08:00"},
    "old": {"date": "0001-01-01", "date-time": "0001-01-01T00:00:00+08:00"},
}


def _resolve(schema: dict, components: dict) -> dict:
    if "$ref" in schema:
        return _resolve(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("anyOf", "allOf"):
        for option in schema.get(key, ()):
            if option.get("type") != "null":
                return _resolve(option, components)
    return schema


def _kind(schema: dict) -> str:
    if "enum" in schema:
        return "enum"
    return schema.get("format") if schema.get("format") in ("date", "date-time") else schema.get("type", "string")


def _plausible(schema: dict, components: dict):
    schema = _resolve(schema, components)
    kind = _kind(schema)
    if kind == "enum":
        return schema["enum"][0]
    if kind == "object":
        return {name: _plausible(prop, components) for name, prop in schema.get("properties", {}).items()}
    if kind == "integer":
        return max(1, schema.get("minimum", 1))  # a bounded count (a cleaning task's minutes ≥ 10) within bounds
    if schema.get("format") == "time":
        return "09:00:00"
    return {"number": "1.00", "boolean": False, "array": [], "date": "2026-11-02",
            "date-time": "2026-11-02T09:00:00+08:00"}.get(kind, "x" if "@" not in schema.get("pattern", "") else "")


def _mutations(schema: dict, components: dict, prefix: str = ""):
    """(field name, path of keys) for every leaf of a body schema, with its kind."""
    schema = _resolve(schema, components)
    for name, prop in schema.get("properties", {}).items():
        resolved = _resolve(prop, components)
        if _kind(resolved) == "object":
            yield from ((f, [name, *keys], k) for f, keys, k in _mutations(resolved, components, f"{prefix}{name}."))
        else:
            yield f"{prefix}{name}", [name], _kind(resolved)


def _cases():
    schema = ninja_api.get_openapi_schema()
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            parameters = list(operation.get("parameters", ()))
            plain = {p["name"]: _plausible(p["schema"], components) for p in parameters}
            content = operation.get("requestBody", {}).get("content", {})
            if content and "application/json" not in content:
                continue  # uploads: tests/api/test_photos.py
            body_schema = content.get("application/json", {}).get("schema")
            body = _plausible(body_schema, components) if body_schema else None
            for bad, values in BAD.items():
                for parameter in parameters:
                    kind = _kind(_resolve(parameter["schema"], components))
                    if kind in values:
                        yield method, path, parameter, plain, body, None, values[kind], bad
                for field, keys, kind in _mutations(body_schema or {}, components):
                    if kind in values:
                        yield method, path, None, plain, body, (field, keys), values[kind], bad


def _request(client, method, path, parameters, body):
    url = path
    query = {}
    headers = dict(client.headers)
    for name, value in parameters.items():
        if name[:1].isupper():  # a header such as Idempotency-Key
            headers["HTTP_" + name.upper().replace("-", "_")] = str(value)
        elif "{" + name + "}" in url:
            url = url.replace("{" + name + "}", quote(str(value)))
        else:
            query[name] = value
    data = json.dumps(body) if body is not None else ""
    return client.client.generic(method.upper(), f"{url}?{urlencode(query)}", data,
                                 content_type="application/json", **headers)


def test_no_hostile_value_on_any_route_produces_a_500(api):
    client = api("admin")
    client.client.raise_request_exception = False
    failures = []
    count = 0
    for method, path, parameter, plain, body, body_field, value, bad in _cases():
        parameters, sent = dict(plain), json.loads(json.dumps(body))
        if parameter is not None:
            parameters[parameter["name"]] = value
            field = parameter["name"]
        else:
            field, keys = body_field
            target = sent
            for key in keys[:-1]:
                target = target[key]
            target[keys[-1]] = value
        response = _request(client, method, path, parameters, sent)
        count += 1
        status = response.status_code
        if status >= 500:
            failures.append(f"{method.upper()} {path} {field}={value!r}: {status}")
            continue
        if parameter is not None and parameter["in"] == "path" and status == 404:
            continue
        if bad in ("nul", "id") or (bad in ("far", "old") and status != 200):
            named = status in (400, 422) and field in [e["field"] for e in response.json().get("errors", ())]
            # a query filter may also answer with no match; anything but a 4xx naming the field is a failure
            if not named and status != 403:
                failures.append(f"{method.upper()} {path} {field}={value!r}: {status} {response.content[:160]!r}")
    assert count > 100
    assert not failures, "\n".join(failures)
