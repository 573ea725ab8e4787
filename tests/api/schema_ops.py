"""The API's operations as the OpenAPI schema lists them, and what the suites derive from it:
a minimal valid request body and the read-only properties of an operation's answer."""

import re

from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")
WRITES = ("POST", "PUT", "PATCH")


def load_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


SCHEMA = load_schema()


def operations(schema=SCHEMA):
    """``(METHOD, path, operation)`` for every operation, sorted."""
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                found.append((method.upper(), path, operation))
    return sorted(found, key=lambda row: (row[1], row[0]))


def concrete(path: str, parameters: dict) -> str:
    def value(match):
        name = match.group(1)
        if name not in parameters:
            raise LookupError(f"{path}: no value for path parameter {name!r}")
        return str(parameters[name])

    return re.sub(r"\{([^}]+)\}", value, path)


def resolve(node, schema=SCHEMA):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = {**schema["components"]["schemas"][name], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _variants(node):
    node = resolve(node)
    for key in ("allOf", "oneOf", "anyOf"):
        if key in node:
            return [resolve(item) for item in node[key]]
    return [node]


def example(node, *, required_only=True):
    """A small instance that satisfies ``node`` (enough for the API's request bodies)."""
    node = _variants(node)[0]
    if "enum" in node:
        return next((value for value in node["enum"] if value not in ("", None)), node["enum"][0])
    kind = node.get("type", "object")
    if kind == "object":
        properties = node.get("properties", {})
        names = node.get("required", []) if required_only else list(properties)
        return {
            name: example(properties[name], required_only=required_only)
            for name in names
            if not resolve(properties[name]).get("readOnly")
        }
    if kind == "array":
        return [example(node.get("items", {}))] * max(1, node.get("minItems", 1))
    if kind == "integer":
        low = node.get("minimum", 1)
        return max(low, min(1, node.get("maximum", 1)))
    if kind == "number":
        return float(max(node.get("minimum", 1), min(1, node.get("maximum", 1))))
    if kind == "boolean":
        return True
    if node.get("format") == "date-time":
        return "2026-01-05T10:00:00Z"
    if node.get("format") == "date":
        return "2026-01-05"
    if node.get("format") == "uuid":
        return "0f0f0f0f-0000-4000-8000-000000000001"
    return "x" * max(1, node.get("minLength", 1))


def request_body_schema(operation):
    content = operation.get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    return media["schema"] if media else None


def success_schema(operation):
    for code in ("200", "201"):
        response = operation["responses"].get(code)
        if response and "application/json" in response.get("content", {}):
            return response["content"]["application/json"]["schema"]
    return None


def read_only_properties(operation) -> dict:
    """``{name: schema}`` of the read-only properties of the operation's success answer."""
    found = {}
    node = success_schema(operation)
    if node is None:
        return found
    for variant in _variants(node):
        for name, prop in variant.get("properties", {}).items():
            resolved = resolve(prop)
            if resolved.get("readOnly") or prop.get("readOnly"):
                found[name] = resolved
    return found
