"""`tenant-app credentials`: a fresh key for CREDENTIALS_KEYS, and every firm's insurer
credentials sealed anew with the first key (services/insurer_account_keys.py), so that the
old keys can be removed."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import date

import click

from tenant_app import db
from tenant_app.security.credentials import CredentialKeysMissing, new_key
from tenant_app.settings import Settings

_KEY_ID = r"[A-Za-z0-9_-]{1,20}"


def _print_new_key(key_id: str) -> None:
    entry = f"{key_id}:{new_key()}"
    print(f"New key: {entry}")
    print("Put it first in CREDENTIALS_KEYS and keep the keys in use after it, e.g.")
    print(f"  CREDENTIALS_KEYS={entry},<the keys in use>")
    print("Restart the app (it seals with the first key from then on), then run")
    print("`tenant-app credentials rotate`; once it seals every account anew, the old keys")
    print("can be removed. Keep the key secret, like SECRET_KEY.")


async def _rotate(settings: Settings) -> int:
    from tenant_app.services.insurer_account_keys import rotate_credentials

    await db.apply_migrations(settings)
    await db.init_db(settings)
    try:
        rotation = await rotate_credentials(settings)
    except CredentialKeysMissing:
        print("error: CREDENTIALS_KEYS is not set: nothing to seal with", file=sys.stderr)
        return 2
    finally:
        await db.close_db()
    print(f"Sealed anew with key {rotation.key_id!r}: {rotation.resealed} account(s).")
    print(f"Already sealed with it: {rotation.current} account(s).")
    for slug, plugin in rotation.unreadable:
        print(
            f"error: tenant {slug}, plug-in {plugin}: no key in CREDENTIALS_KEYS opens its"
            " credentials; left unchanged (the firm enters them again)",
            file=sys.stderr,
        )
    return 1 if rotation.unreadable else 0


def group(settings: Callable[[], Settings]) -> click.Group:
    """The command group; `settings` loads the configuration (after the arguments)."""

    @click.group("credentials", help="the keys sealing the firms' insurer credentials")
    def credentials() -> None:
        pass

    @credentials.command("new-key", help="print a fresh key for CREDENTIALS_KEYS")
    @click.option("--id", "key_id", default="", help="the key's id (default: k<today>)")
    def new_key_command(key_id: str) -> int:
        import re

        key_id = key_id or f"k{date.today():%Y%m%d}"
        if not re.fullmatch(_KEY_ID, key_id):
            raise click.BadParameter("letters, digits, - and _, at most 20", param_hint="--id")
        _print_new_key(key_id)
        return 0

    @credentials.command("rotate", help="seal every firm's credentials with the first key")
    def rotate_command() -> int:
        return asyncio.run(_rotate(settings()))

    return credentials
