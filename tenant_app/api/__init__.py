"""The JSON API for the broker's own systems (`/api/v1/…`): the same use cases as the HTML
pages, authenticated by tenant API tokens, described by an OpenAPI document built from the
operations' pydantic models."""
