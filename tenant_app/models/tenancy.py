"""Tenants (broker firms) and the host names that lead to them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Tenant(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=63, unique=True)
    name = fields.CharField(max_length=200)
    theme = fields.CharField(max_length=40, default="default", db_default="default")
    primary_color = fields.CharField(max_length=7, null=True)
    secondary_color = fields.CharField(max_length=7, null=True)
    text_color = fields.CharField(max_length=7, null=True)
    logo_key = fields.CharField(max_length=200, null=True)  # sha256 of the logo asset, or None
    favicon_key = fields.CharField(max_length=200, null=True)  # sha256 of the favicon asset
    address_form = fields.CharField(max_length=3, default="sie", db_default="sie")  # sie | du
    imprint_html = fields.TextField(default="", db_default="")  # sanitized on save and render
    signature_html = fields.TextField(default="", db_default="")
    is_active = fields.BooleanField(default=True, db_default=True)
    # Every staff login needs a second factor from this moment on (None: staff choose).
    staff_2fa_required_at = fields.DatetimeField(null=True)
    staff_2fa_grace_days = fields.IntField(default=14, db_default=14)
    # The customer's access trail names the staff member, or says "your broker's office".
    trail_shows_staff_names = fields.BooleanField(default=True, db_default=True)
    # The broker profile the portal home shows (Maklerprofil); "" where not filled in.
    broker_firm_name = fields.CharField(max_length=200, default="", db_default="")
    broker_legal_form = fields.CharField(max_length=60, default="", db_default="")
    broker_phone = fields.CharField(max_length=40, default="", db_default="")
    broker_street = fields.CharField(max_length=200, default="", db_default="")
    broker_postal_code = fields.CharField(max_length=10, default="", db_default="")
    broker_city = fields.CharField(max_length=100, default="", db_default="")
    broker_email = fields.CharField(max_length=254, default="", db_default="")
    broker_opening_hours = fields.CharField(max_length=500, default="", db_default="")
    broker_register_number = fields.CharField(max_length=40, default="", db_default="")
    broker_number = fields.CharField(max_length=40, default="", db_default="")  # "Makler-ID"
    broker_status = fields.CharField(max_length=20, default="makler", db_default="makler")
    broker_chamber = fields.CharField(max_length=200, default="", db_default="")  # the IHK
    # The structured imprint and signature (§ 5 DDG, § 11 VersVermV, § 37a HGB, § 35a GmbHG,
    # § 80 AktG, §§ 125, 177a HGB): imprint_html and signature_html are free-text additions.
    broker_chamber_address = fields.CharField(max_length=200, default="", db_default="")
    broker_seat = fields.CharField(max_length=100, default="", db_default="")  # Sitz
    broker_register_court = fields.CharField(max_length=100, default="", db_default="")
    broker_trade_register = fields.CharField(max_length=40, default="", db_default="")  # HRB 123
    broker_vat_id = fields.CharField(max_length=20, default="", db_default="")
    broker_representatives = fields.TextField(default="", db_default="")  # one name a line
    broker_board_chair = fields.CharField(max_length=200, default="", db_default="")
    # A GmbH & Co. KG names its general partner (Komplementär) with its own register entry.
    broker_partner_name = fields.CharField(max_length=200, default="", db_default="")
    broker_partner_seat = fields.CharField(max_length=100, default="", db_default="")
    broker_partner_register_court = fields.CharField(max_length=100, default="", db_default="")
    broker_partner_trade_register = fields.CharField(max_length=40, default="", db_default="")
    broker_partner_representatives = fields.TextField(default="", db_default="")
    broker_holdings = fields.TextField(default="", db_default="")  # § 15 VersVermV; "" = none
    # The portal's switchable modules that are on (one of vocabulary.MODULES each, comma-list).
    # A new tenant gets vocabulary.NEW_TENANT_MODULES (services/tenants.py). The column's own
    # default stays as first made: changing it rebuilds the table on SQLite, and dropping the
    # old tenant table would cascade into every tenant's rows.
    modules = fields.CharField(
        max_length=200,
        default="offers,claims,first_information,push",
        db_default="offers,claims,first_information,push",
    )
    chat_transcripts = fields.BooleanField(default=True, db_default=True)  # filed on archiving
    # The platform's own space (operators, backoffices) on the platform host: no broker firm.
    is_platform = fields.BooleanField(default=False, db_default=False)
    # What a tender's chosen offer becomes in the customer's folder once confirmed.
    tender_contract_status = fields.CharField(max_length=12, default="start", db_default="start")
    # What an accepted offer (Angebot) becomes, and the document categories the invitation
    # dialog preselects for sharing (comma-list of vocabulary.DOCUMENT_CATEGORIES).
    offer_accepted_status = fields.CharField(max_length=12, default="active", db_default="active")
    recommended_categories = fields.CharField(
        max_length=300, default="policy,invoice", db_default="policy,invoice"
    )
    claim_counter = fields.IntField(default=0, db_default=0)  # the last claim number given
    # Suspended by the operator: its users see the notice instead of the portal (None: open).
    suspended_at = fields.DatetimeField(null=True)
    suspension_notice = fields.TextField(default="", db_default="")
    # The broker's own website origins that may frame the login page (one a line; "" none).
    frame_origins = fields.TextField(default="", db_default="")
    version = fields.IntField(default=1, db_default=1)  # edit lock of the settings form
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tenant"


class TenantHost(Model):
    """A host name that serves a tenant: `<slug>.<BASE_DOMAIN>` now, own domains later."""

    id = fields.IntField(primary_key=True)
    hostname = fields.CharField(max_length=253, unique=True)  # lower-case, no port
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="hosts", on_delete=fields.CASCADE
    )
    tenant_id: int
    is_primary = fields.BooleanField(default=True, db_default=True)
    # A broker's own domain (not `<slug>.<BASE_DOMAIN>`): it serves only once verified by its
    # HTTP token or DNS TXT record. Hosts the platform made itself count as verified.
    is_custom = fields.BooleanField(default=False, db_default=False)
    is_verified = fields.BooleanField(default=True, db_default=True)
    verification_token = fields.CharField(max_length=64, default="", db_default="")
    checked_at = fields.DatetimeField(null=True)  # the verification job's last look
    check_error = fields.CharField(max_length=300, default="", db_default="")  # msgid, or ""
    created_at = fields.DatetimeField(auto_now_add=True, null=True)

    class Meta:
        table = "tenant_host"
