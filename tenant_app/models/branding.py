"""Tenant images (logo, favicon), re-encoded and stored in the database.

They are small (a few hundred KB at most), so every app process can serve them
without a shared file system.
"""

from __future__ import annotations

from tortoise import fields

from tenant_app.models.scoping import TenantModel


class TenantAsset(TenantModel):
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=20)  # logo | favicon
    content_type = fields.CharField(max_length=50)
    sha256 = fields.CharField(max_length=64)  # of `data`, also the cache-busting URL version
    data = fields.BinaryField()
    width = fields.IntField()
    height = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tenant_asset"
        unique_together = (("tenant", "kind"),)
