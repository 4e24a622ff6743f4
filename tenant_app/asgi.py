"""Entry point for uvicorn: `uvicorn tenant_app.asgi:app`."""

from tenant_app import create_app

app = create_app()
