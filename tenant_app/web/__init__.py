"""Thin HTTP handlers, one module per area, each ending in `routes = [...]`."""
