"""Thin HTTP handlers, one module per area, each ending in `routes = [...]`."""

from tenant_app.web import convertors  # noqa: F401 - registers the `id` path convertor first
