"""The dataset's tables (columns in COPY order, parents before children) and its names."""

from __future__ import annotations

FIRST_NAMES = (
    "Anna Ben Clara David Emma Felix Greta Hannes Ida Jonas Karla Leon Mia Noah Olga Paul "
    "Quirin Rosa Simon Tina Ute Valentin Wiebke Xaver Yara Zoe Jürgen Sören Änne Björn"
).split()
LAST_NAMES = (
    "Müller Schmidt Schneider Fischer Weber Meyer Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann "
    "Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann "
    "König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert "
    "Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht "
    "Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger Otto "
    "Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn "
    "Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold"
).split()
INSURERS = (
    "Allianz Versicherungs-AG",
    "AXA Versicherung AG",
    "Condor Allgemeine Versicherungs-AG",
    "HUK-COBURG",
    "R+V Allgemeine Versicherung AG",
    "Gothaer Allgemeine Versicherung AG",
    "Signal Iduna",
    "Debeka",
)
PRODUCT_LINES = ("Hausrat", "Haftpflicht", "Kfz", "Wohngebäude", "Unfall", "Rechtsschutz")

TABLES: dict[str, tuple[str, ...]] = {
    "tenant": ("id", "slug", "name", "theme", "address_form", "imprint_html", "signature_html")
    + ("is_active", "created_at", "updated_at", "primary_color", "modules"),
    "tenant_host": ("id", "hostname", "is_primary", "tenant_id"),
    "contact": (
        "id",
        "tenant_id",
        "first_name",
        "last_name",
        "birthdate",
        "email",
        "company_name",
        "street",
        "postal_code",
        "city",
        "phone",
        "customer_number",
        "created_at",
        "updated_at",
    ),
    "user_account": (
        "id",
        "tenant_id",
        "kind",
        "role",
        "username",
        "email",
        "first_name",
        "last_name",
        "birthdate",
        "password_hash",
        "is_active",
        "contact_id",
        "access_insurance",
        "access_finance",
        "access_other",
        "access_emergency",
        "sees_all_contacts",
        "handles_tickets",
        "manages_contacts",
        "manages_users",
        "manages_settings",
        "created_at",
        "updated_at",
    ),
    "customer_access": (
        "id",
        "tenant_id",
        "contact_id",
        "insurance_unlock",
        "insurance_share",
        "finance_unlock",
        "other_unlock",
        "profile_visible",
        "profile_editable",
        "communication",
        "updated_at",
    ),
    "contract": (
        "id",
        "tenant_id",
        "contact_id",
        "folder",
        "status",
        "product_line",
        "insurer_name",
        "insurance_number",
        "payment_method",
        "payment_frequency",
        "gross_premium",
        "created_by_customer",
        "created_at",
        "updated_at",
    ),
    "document": (
        "id",
        "tenant_id",
        "contact_id",
        "contract_id",
        "folder",
        "title",
        "category",
        "document_date",
        "filename",
        "storage_key",
        "content_type",
        "size",
        "sha256",
        "shared_with_customer",
        "uploaded_by_customer",
        "created_at",
    ),
    "conversation": (
        "id",
        "tenant_id",
        "contact_id",
        "responsible_id",
        "subject",
        "status",
        "entry_count",
        "last_entry_by_customer",
        "last_entry_at",
        "created_at",
        "kind",  # ticket | chat
        "chat_contact_id",  # chats only
    ),
    "conversation_participant": ("id", "tenant_id", "conversation_id", "user_id", "role")
    + ("read_count", "delivered_count"),
    "conversation_entry": (
        "id",
        "tenant_id",
        "conversation_id",
        "author_id",
        "by_customer",
        "body",
        "created_at",
        "seq",  # chats only: the position, and the sender's key
        "client_key",
    ),
    "conversation_event": (
        "id",
        "tenant_id",
        "conversation_id",
        "actor_id",
        "kind",
        "actor_name",
        "created_at",
    ),
    # A ticket's opening and reply as the event stream has them, each told to the other side
    # and left unread: every page's bell counts (the admin's stops at the cap, "99+").
    "activity_event": (
        "id",
        "tenant_id",
        "kind",
        "actor_id",
        "actor_kind",
        "actor_name",
        "contact_id",
        "object_type",
        "object_id",
        "title",
        "created_at",
    ),
    "notification": ("id", "tenant_id", "user_id", "event_id", "created_at", "mailed_at"),
}
