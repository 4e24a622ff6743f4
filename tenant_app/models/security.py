"""Counters behind rate limits, shared by every app process through the database."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class RateCounter(Model):
    """Attempts per key in a fixed window. Keys embed the tenant id where they need one."""

    key = fields.CharField(max_length=200, primary_key=True)
    count = fields.IntField(default=0)
    window_start = fields.BigIntField()  # unix seconds; integers compare alike on every database

    class Meta:
        table = "rate_counter"
