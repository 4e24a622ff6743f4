"""A tenant's administration engages backoffices and ends an engagement (Einstellungen →
Backoffices): ending takes the backoffice's access away at once, for this tenant only."""

from __future__ import annotations

import pytest

from tenant_app.errors import NotFound
from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import AuditEntry
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import Backoffice, BackofficeEngagement
from tenant_app.services import tender_access
from tenant_app.text.i18n import gettext, ngettext
from tests.case_helpers import open_case
from tests.conftest import make_customer
from tests.tender_helpers import (
    backoffice_actor,
    backoffice_login,
    engage,
    make_backoffice,
    make_tender,
)
from tests.web.test_tickets import make_staff

PAGE = "/staff/settings/backoffices"


async def _engagement(tenant, backoffice) -> BackofficeEngagement | None:
    with tenant_scope(tenant.tenant.id):
        return await BackofficeEngagement.get_or_none(backoffice_id=backoffice.id)


async def _audit(tenant) -> list[tuple[str, int | None]]:
    with tenant_scope(tenant.tenant.id):
        rows = await AuditEntry.filter(action__startswith="engagement_").order_by("id")
    return [(row.action, row.subject_id) for row in rows]


async def _post(client, path: str):
    return await client.submit(path, {}, form_page=PAGE)


async def test_the_admin_engages_a_backoffice_and_ends_it(client, tenant) -> None:
    backoffice = await make_backoffice()
    retired = await Backoffice.create(name="Alt Backoffice", is_active=False)
    await client.log_in("alpha-admin")
    settings = await client.get("/staff/settings")
    assert f'href="{PAGE}" id="backoffices-link"' in settings.text
    page = await client.get(PAGE)
    assert page.status_code == 200 and f'id="backoffice-{backoffice.id}-engage"' in page.text
    assert f'id="backoffice-{retired.id}"' not in page.text  # an inactive one is not offered
    promise = ngettext("%(num)s working day", "%(num)s working days", 5)
    assert f"{gettext('every product line')}: {promise}" in page.text

    done = await _post(client, f"{PAGE}/{backoffice.id}/engage")
    assert done.status_code == 303 and done.headers["location"] == f"{PAGE}?engaged=1"
    row = await _engagement(tenant, backoffice)
    assert row and row.ended_at is None and row.started_by_id == tenant.admin.id
    page = await client.get(done.headers["location"])
    assert 'id="backoffice-engaged"' in page.text
    assert f'id="backoffice-{backoffice.id}-end"' in page.text
    assert f'id="backoffice-{backoffice.id}-warning"' in page.text

    ended = await _post(client, f"{PAGE}/{backoffice.id}/end")
    assert ended.status_code == 303 and ended.headers["location"] == f"{PAGE}?ended=1"
    row = await _engagement(tenant, backoffice)
    assert row and row.ended_at is not None
    page = await client.get(ended.headers["location"])
    assert 'id="backoffice-ended"' in page.text
    assert f'id="backoffice-{backoffice.id}-engage"' in page.text

    await _post(client, f"{PAGE}/{backoffice.id}/engage")  # again: the same row re-opened
    again = await _engagement(tenant, backoffice)
    assert again and again.id == row.id and again.ended_at is None
    assert again.started_at > row.started_at
    engaged, ended_, reengaged = await _audit(tenant)
    assert engaged == ("engagement_started", backoffice.id)
    assert ended_ == ("engagement_ended", backoffice.id)
    assert reengaged == ("engagement_started", backoffice.id)


async def test_engaging_twice_or_ending_what_is_not_engaged_changes_nothing(client, tenant) -> None:
    backoffice = await make_backoffice()
    await client.log_in("alpha-admin")
    await _post(client, f"{PAGE}/{backoffice.id}/end")
    assert await _engagement(tenant, backoffice) is None
    await _post(client, f"{PAGE}/{backoffice.id}/engage")
    await _post(client, f"{PAGE}/{backoffice.id}/engage")
    assert await _audit(tenant) == [("engagement_started", backoffice.id)]


async def test_an_inactive_or_unknown_backoffice_cannot_be_engaged(client, tenant) -> None:
    retired = await Backoffice.create(name="Alt Backoffice", is_active=False)
    await client.log_in("alpha-admin")
    assert (await _post(client, f"{PAGE}/{retired.id}/engage")).status_code == 404
    assert (await _post(client, f"{PAGE}/999/engage")).status_code == 404
    assert (await _post(client, f"{PAGE}/999/end")).status_code == 404
    assert await _engagement(tenant, retired) is None


async def test_ending_takes_the_access_to_the_tenders_away_at_once(
    client, tenant, passwords
) -> None:
    backoffice = await make_backoffice()
    person = await backoffice_actor(await backoffice_login(passwords, backoffice))
    await engage(tenant, backoffice)
    contact = await make_customer(tenant, passwords)
    case = await open_case(tenant, contact)
    with tenant_scope(tenant.tenant.id):
        case = await AdviceCase.filter(id=case.id).select_related("contact").get()
    tender = await make_tender(tenant, case, backoffice)
    async with tender_access.backoffice_tender(person, tender.id) as seen:
        assert seen.id == tender.id
    await client.log_in("alpha-admin")
    page = await client.get(PAGE)
    assert f'id="backoffice-{backoffice.id}-warning"' in page.text
    await _post(client, f"{PAGE}/{backoffice.id}/end")
    with pytest.raises(NotFound):
        async with tender_access.backoffice_tender(person, tender.id):
            pass


async def test_another_tenants_engagement_stays(client, client_for, tenant, other_tenant) -> None:
    backoffice = await make_backoffice()
    await engage(tenant, backoffice)
    await engage(other_tenant, backoffice)
    await client.log_in("alpha-admin")
    await _post(client, f"{PAGE}/{backoffice.id}/end")
    mine, theirs = (
        await _engagement(tenant, backoffice),
        await _engagement(other_tenant, backoffice),
    )
    assert mine and mine.ended_at is not None
    assert theirs and theirs.ended_at is None
    assert await _audit(other_tenant) == []

    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    page = await beta.get(PAGE)
    assert f'id="backoffice-{backoffice.id}-end"' in page.text  # still engaged there


async def test_staff_who_do_not_manage_settings_are_refused(client_for, tenant, passwords) -> None:
    backoffice = await make_backoffice()
    await make_staff(tenant, passwords, "mia", "Mia")
    await make_staff(tenant, passwords, "sina", "Sina", manages_settings=True)
    mia = client_for(tenant.hostname)
    await mia.log_in("mia")
    assert (await mia.get(PAGE)).status_code == 403
    token = await mia.csrf("/staff")
    for action in ("engage", "end"):
        answer = await mia.post(
            f"{PAGE}/{backoffice.id}/{action}",
            data={"csrf_token": token},
            headers={"Origin": f"http://{tenant.hostname}"},
        )
        assert answer.status_code == 403
    assert await _engagement(tenant, backoffice) is None

    sina = client_for(tenant.hostname)
    await sina.log_in("sina")
    assert (await _post(sina, f"{PAGE}/{backoffice.id}/engage")).status_code == 303
    assert await _engagement(tenant, backoffice) is not None
