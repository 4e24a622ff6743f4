"""Use cases. The tenant (and the acting user) come first; no Starlette in here."""
