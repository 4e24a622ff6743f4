"""The reference plug-in: bicycle, e-bike and battery insurance with Radschutz Versicherung
AG (the insurer's service is `reference_insurer/`). Named by the entry point
`radschutz = "tenant_app.plugins.radschutz:plugin"`."""

from tenant_app.plugins.radschutz.plugin import RadschutzPlugin

plugin = RadschutzPlugin()

__all__ = ["RadschutzPlugin", "plugin"]
