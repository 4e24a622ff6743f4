"""`tenant-app demo`: the demo tenant made once, its logins printed, and the reference insurer
started beside the portal."""

from __future__ import annotations

from tenant_app import db
from tenant_app.security.passwords import PasswordService
from tenant_app.settings import Settings


async def ensure_demo_tenant(settings: Settings) -> str:
    from tenant_app.demo.seed import DEMO_SLUG, ensure_demo
    from tenant_app.files.storage import storage_for
    from tenant_app.services.tenants import hostname_for

    await db.apply_migrations(settings)
    await db.init_db(settings)
    try:
        created = await ensure_demo(
            PasswordService(settings),
            storage_for(settings),
            base_domain=settings.base_domain,
            platform_host=settings.platform_hostname,
            credential_keys=settings.credential_keys(),
        )
    finally:
        await db.close_db()
    print("Demo tenant created." if created else "Demo tenant exists already (left as it is).")
    return hostname_for(DEMO_SLUG, settings.base_domain)


REFERENCE_INSURER_PORT = 8070


def start_reference_insurer(settings: Settings) -> None:
    """The demo's insurer (Radschutz, the reference plug-in's counterpart) beside the portal,
    in a thread of this process, unless INSURER_URLS points the plug-in elsewhere or the port
    is taken (one started by hand, say)."""
    import socket
    import threading

    import uvicorn

    from reference_insurer.app import app as insurer_app

    if "radschutz" in settings.insurer_url_map():
        return
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", REFERENCE_INSURER_PORT)) == 0:
            print(f"Reference insurer: port {REFERENCE_INSURER_PORT} is taken, not started.")
            return
    config = uvicorn.Config(
        insurer_app, host="127.0.0.1", port=REFERENCE_INSURER_PORT, log_level="warning"
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, name="reference-insurer", daemon=True).start()
    print(f"Reference insurer (Radschutz): http://127.0.0.1:{REFERENCE_INSURER_PORT}")


def print_demo_logins() -> None:
    from tenant_app.demo import seed as demo
    from tenant_app.demo.integration import API_TOKEN
    from tenant_app.demo.tenders import BACKOFFICE_LOGIN, OPERATOR

    print(f"  Admin:            {demo.ADMIN[0]} / {demo.ADMIN[1]}")
    print(f"  Staff (all):      mia / {demo.STAFF_PASSWORD}")
    print(f"  Staff (read):     paul / {demo.STAFF_PASSWORD}")
    for person in demo.CUSTOMERS:
        print(f"  Customer:         {person.username} / {demo.CUSTOMER_PASSWORD}  ({person.story})")
    print(f"  Trusted person:   tom / {demo.CUSTOMER_PASSWORD}  ({demo.TRUSTED_STORY})")
    print(f"  API token:        {API_TOKEN}  (all permissions; reference at /api/v1/docs)")
    print("  On the platform host (operators and backoffices):")
    print(f"  Operator:         {OPERATOR[0]} / {OPERATOR[1]}")
    print(f"  Backoffice:       {' / '.join(BACKOFFICE_LOGIN)}  (the demo's tenders)")
    print("  Insurer interface: Radschutz (Einstellungen › Onlinekonten) is active; Dana's e-bike")
    print("                     waits to be insured (Anna and Mia have agent numbers)")
