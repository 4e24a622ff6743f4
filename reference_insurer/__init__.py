"""Radschutz Versicherung AG: a small reference insurer with a web interface for brokers,
the counterpart of the portal's reference plug-in (`tenant_app/plugins/radschutz/`). Run it
with `python -m reference_insurer --port 8070`; tests start it with `create_app(...)`."""
