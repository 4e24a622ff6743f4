"""The reference plug-in (tenant_app/plugins/radschutz) against the real reference insurer: a
Radschutz service on a socket (tests/conftest.py's `insurer`, reset for each test), spoken to
through the core's `InsurerHttp` with a `CallContext` as the core builds one, no database
involved. What the plug-in returns is what the core stores and shows: tariffs with their
notes, refusals on the plug-in's own field keys, the filled application as a PDF, the policy
and its documents."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tenant_app.plugins import (
    AgentRejected,
    Application,
    CallContext,
    DocumentRef,
    InsurerAuthFailed,
    InsurerHttp,
    InsurerRejected,
    InsurerUnavailable,
    PluginBroken,
)
from tenant_app.plugins.radschutz import RadschutzPlugin, plugin
from tenant_app.services import insurer_plugins
from tests.insurer_service import AGENT, PASSWORD, USERNAME, InsurerService
from tests.pdf_text import pdf_text

TODAY = date.today()
SIGNED_AT = datetime(2025, 6, 14, 10, 30, tzinfo=UTC)
FRAME = "WAV-2024-88317"


def http_for(insurer: InsurerService, **options: Any) -> InsurerHttp:
    settings: dict[str, Any] = {"timeout": 5.0, "backoff": 0.01, **options}
    return InsurerHttp(insurer.url, secrets=[PASSWORD], **settings)


def context(
    http: InsurerHttp, *, agent: str = AGENT, password: str = PASSWORD, language: str = "de"
) -> CallContext:
    credentials = {"username": USERNAME, "password": password}
    return CallContext(http=http, credentials=credentials, agent_number=agent, language=language)


@pytest.fixture
def http(insurer: InsurerService) -> InsurerHttp:
    return http_for(insurer)


@pytest.fixture
def ctx(http: InsurerHttp) -> CallContext:
    return context(http)


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def application(*, key: str = "draft-1", **answers: Any) -> Application:
    """An application as the core hands it over once every step is answered (JSON values)."""
    bike = {
        "object_type": "ebike",
        "make": "Riese & Müller",
        "model": "Charger4 GT",
        "frame_number": FRAME,
        "price": "2500.00",
        "purchase_date": days_ago(10),
    }
    contact = {
        "first_name": "Marlene",
        "last_name": "Schäfer",
        "birth_date": "1984-03-17",
        "street": "Lindenstraße 5",
        "postal_code": "50667",
        "city": "Köln",
        "country": "DE",
        "email": "marlene@kunde.example",
    }
    given = {**bike, **contact, "instant_cover": False, "approved_lock": True, "leased": False}
    return Application(
        answers={**given, **answers},
        insured_object={**bike, "label": "E-Bike Riese & Müller Charger4 GT"},
        contact=contact,
        idempotency_key=key,
    )


def signed(app: Application, external_id: str) -> Application:
    return replace(app, external_id=external_id, signature="click", signed_at=SIGNED_AT)


def test_the_plugin_is_found_by_its_entry_point() -> None:
    insurer_plugins.forget()
    found = insurer_plugins.installed()
    assert found["radschutz"] is plugin
    assert isinstance(plugin, RadschutzPlugin)
    assert plugin.insurer_name == "Radschutz Versicherung AG"
    assert plugin.countries == ("DE", "AT")
    assert plugin.covers("fahrrad", {"object_type": "battery"})
    assert not plugin.covers("fahrrad", {"object_type": "lastenrad"})
    assert [step.key for step in plugin.steps] == [
        "object",
        "object_data",
        "tariff",
        "security",
        "customer",
        "review",
    ]
    assert [(step.title["de"], step.kind) for step in plugin.steps][2:] == [
        ("Tarifinformation", "tariff"),
        ("Schloss und Leasing", "form"),
        ("Kundendaten ergänzen", "form"),
        ("Antrag prüfen und absenden", "review"),
    ]
    fields = {field.key: field for step in plugin.steps for field in step.fields}
    assert fields["price"].maximum == Decimal("15000")
    assert fields["approved_lock"].must_be_true
    assert fields["postal_code"].prefill == "contact.postal_code"
    assert fields["frame_number"].prefill == "object.frame_number"
    secret = [field.key for field in plugin.credential_fields if field.secret]
    assert secret == ["password"]


async def test_a_quote_names_tariff_premium_and_instant_cover(insurer: InsurerService) -> None:
    ctx = context(http_for(insurer))
    quote = await plugin.quote(ctx, application())
    assert quote.tariff_name == "Radschutz Komfort"
    assert quote.premium == Decimal("22.50")  # 0.9 % of 2,500 € a month
    assert quote.frequency == "monthly"
    assert "Diebstahl" in quote.cover
    assert quote.notes == ("Sofortschutz: +2,50\u00a0€ monatlich",)

    with_instant = await plugin.quote(ctx, application(instant_cover=True))
    assert with_instant.premium == Decimal("25.00")
    assert with_instant.notes == ("Sofortschutz ist im Beitrag enthalten.",)

    bought_long_ago = await plugin.quote(ctx, application(purchase_date=days_ago(60)))
    assert bought_long_ago.notes == ("Sofortschutz nur bis 30 Tage nach dem Kauf möglich",)

    in_english = await plugin.quote(context(http_for(insurer), language="en"), application())
    assert in_english.notes == ("Instant cover: +€2.50 a month",)


async def test_a_quote_before_the_customer_step_takes_the_contacts_country(
    insurer: InsurerService, ctx: CallContext
) -> None:
    early = application()
    object_answers = {k: early.answers[k] for k in ("object_type", "price", "purchase_date")}
    austrian = {**early.contact, "country": "AT", "postal_code": "1010"}
    await plugin.quote(ctx, replace(early, answers=object_answers, contact=austrian))
    (sent,) = insurer.requests()
    assert sent["json"] == {
        "object_type": "ebike",
        "price": "2500.00",
        "purchase_date": days_ago(10),
        "country": "AT",
        "instant_cover": False,
    }
    assert sent["headers"]["x-agent-number"] == AGENT


async def test_refusals_come_back_on_the_plugins_field_keys(ctx: CallContext) -> None:
    with pytest.raises(InsurerRejected) as too_dear:
        await plugin.quote(ctx, application(price="20000"))
    assert too_dear.value.errors == {"price": "Versicherbar sind Objekte bis 15.000 € Kaufpreis."}
    assert too_dear.value.message == ""

    with pytest.raises(InsurerRejected) as too_late:
        await plugin.quote(ctx, application(purchase_date=days_ago(60), instant_cover=True))
    assert too_late.value.errors == {
        "instant_cover": "Sofortschutz gibt es nur für Objekte, die vor höchstens 30 Tagen "
        "gekauft wurden."
    }

    austrian_code = application(postal_code="1010", approved_lock=False, frame_number="X!")
    with pytest.raises(InsurerRejected) as refused:
        await plugin.submit(ctx, austrian_code)
    assert refused.value.errors == {
        "frame_number": "Die Rahmennummer hat 4 bis 30 Buchstaben und Ziffern.",
        "postal_code": "Bitte eine Postleitzahl mit 5 Ziffern angeben.",
        "approved_lock": "Versicherungsschutz setzt ein zugelassenes Schloss (ab 60 € "
        "Kaufpreis) voraus.",
    }
    assert "422" in refused.value.detail


async def test_submit_returns_the_filled_application_as_a_pdf(
    insurer: InsurerService, ctx: CallContext
) -> None:
    submission = await plugin.submit(ctx, application(key="draft-7"))
    assert submission.external_id == "RS-A-000001"
    assert (submission.premium, submission.frequency) == (Decimal("22.50"), "monthly")
    paper = submission.paper
    assert paper.title == "Antrag Radschutz RS-A-000001 – E-Bike Riese & Müller Charger4 GT"
    assert paper.filename == "Antrag-Radschutz-RS-A-000001.pdf"
    assert paper.content_type == "application/pdf"
    assert paper.data.startswith(b"%PDF-")
    text = pdf_text(paper.data)
    for shown in ("Marlene Schäfer", FRAME, "Riese & Müller", "Unterschrift Versicherungsnehmer"):
        assert shown in text, shown
    posted, downloaded = insurer.requests()
    assert (posted["method"], posted["path"], posted["status"]) == ("POST", "/v1/applications", 201)
    assert posted["headers"]["idempotency-key"] == "draft-7"
    assert posted["json"]["customer"]["last_name"] == "Schäfer"
    assert posted["json"]["object"]["frame_number"] == FRAME
    assert downloaded["path"] == "/v1/applications/RS-A-000001/pdf"


async def test_submitting_again_with_the_same_key_makes_no_second_application(
    insurer: InsurerService, ctx: CallContext
) -> None:
    first = await plugin.submit(ctx, application(key="draft-1"))
    again = await plugin.submit(ctx, application(key="draft-1"))
    assert again.external_id == first.external_id == "RS-A-000001"
    assert again.paper.data.startswith(b"%PDF-")
    posts = [r["status"] for r in insurer.requests() if r["method"] == "POST"]
    assert posts == [201, 200]
    other = await plugin.submit(ctx, application(key="draft-2"))
    assert other.external_id == "RS-A-000002"


async def test_finalize_makes_the_policy_and_its_documents_are_fetched(
    ctx: CallContext,
) -> None:
    app = application()
    submission = await plugin.submit(ctx, app)
    policy = await plugin.finalize(ctx, signed(app, submission.external_id))
    assert policy.policy_number == "RS-P-000001"
    assert policy.start_date == date(2025, 7, 1)  # no Sofortschutz: the next month's first
    assert (policy.premium, policy.frequency) == (Decimal("22.50"), "monthly")
    assert policy.documents == (
        DocumentRef("policy", "Versicherungsschein"),
        DocumentRef("terms", "Versicherungsbedingungen"),
    )
    again = await plugin.finalize(ctx, signed(app, submission.external_id))
    assert again == policy

    schedule = await plugin.fetch_document(ctx, policy, policy.documents[0])
    assert schedule.title == "Versicherungsschein"
    assert schedule.filename == "Versicherungsschein-RS-P-000001.pdf"
    text = pdf_text(schedule.data)
    assert "RS-P-000001" in text and "Marlene Schäfer" in text
    terms = await plugin.fetch_document(ctx, policy, policy.documents[1])
    assert terms.data.startswith(b"%PDF-")
    assert "Versicherungsbedingungen" in pdf_text(terms.data)

    with pytest.raises(InsurerRejected) as unknown:
        await plugin.fetch_document(ctx, policy, DocumentRef("other", "Sonstiges"))
    assert unknown.value.message == "Radschutz kennt dieses Dokument nicht."


async def test_finalizing_an_unknown_or_unsigned_application_is_refused(
    http: InsurerHttp, ctx: CallContext
) -> None:
    with pytest.raises(InsurerRejected) as unknown:
        await plugin.finalize(ctx, signed(application(), "RS-A-999999"))
    assert unknown.value.message == "Radschutz kennt diesen Antrag nicht."
    assert unknown.value.errors == {}
    asked = len(http.exchanges)
    with pytest.raises(InsurerRejected) as unsigned:
        await plugin.finalize(ctx, replace(application(), external_id="RS-A-000001"))
    assert unsigned.value.message == "Der Antrag ist noch nicht unterschrieben."
    assert len(http.exchanges) == asked  # refused before asking the insurer


async def test_a_wrong_password_is_the_insurers_refusal_of_the_account(
    insurer: InsurerService,
) -> None:
    http = InsurerHttp(insurer.url, secrets=["falsch-123"], backoff=0.01)
    with pytest.raises(InsurerAuthFailed):
        await plugin.quote(context(http, password="falsch-123"), application())
    assert [exchange.status_code for exchange in http.exchanges] == [401]  # not retried
    with pytest.raises(InsurerAuthFailed):  # nothing entered: not even asked
        await plugin.quote(context(http, password=""), application())
    assert len(http.exchanges) == 1


async def test_an_unknown_agent_number_is_refused_as_such(http: InsurerHttp) -> None:
    with pytest.raises(AgentRejected):
        await plugin.quote(context(http, agent="VM-99999"), application())
    with pytest.raises(AgentRejected):
        await plugin.submit(context(http, agent="VM-99999"), application())
    with pytest.raises(AgentRejected):  # none at all: not even asked
        await plugin.quote(context(http, agent=""), application())
    assert [exchange.status_code for exchange in http.exchanges] == [403, 403]


async def test_a_server_error_is_retried_on_calls_safe_to_repeat(
    insurer: InsurerService, http: InsurerHttp, ctx: CallContext
) -> None:
    insurer.fault("error", count=1)
    quote = await plugin.quote(ctx, application())
    assert quote.premium == Decimal("22.50")
    assert [(e.attempt, e.status_code) for e in http.exchanges] == [(1, 500), (2, 200)]

    insurer.fault("error", count=1)
    submission = await plugin.submit(ctx, application())
    assert submission.external_id == "RS-A-000001"
    submitted = [(e.operation, e.method, e.status_code) for e in http.exchanges[2:]]
    assert submitted == [
        ("submit", "POST", 500),
        ("submit", "POST", 201),
        ("submit", "GET", 200),
    ]


async def test_an_insurer_slower_than_the_timeout_is_unavailable(
    insurer: InsurerService,
) -> None:
    insurer.fault("slow", seconds=1.5)
    http = http_for(insurer, timeout=0.3, retries=1)
    with pytest.raises(InsurerUnavailable):
        await plugin.quote(context(http), application())
    assert [(e.attempt, e.status_code, e.error) for e in http.exchanges] == [
        (1, None, "timeout"),
        (2, None, "timeout"),
    ]


async def test_no_exchange_keeps_the_credentials(
    insurer: InsurerService, http: InsurerHttp, ctx: CallContext
) -> None:
    app = application()
    await plugin.quote(ctx, app)
    submission = await plugin.submit(ctx, app)
    policy = await plugin.finalize(ctx, signed(app, submission.external_id))
    for document in policy.documents:
        await plugin.fetch_document(ctx, policy, document)
    assert len(http.exchanges) == 6
    basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    for exchange in http.exchanges:
        kept = " ".join(
            (exchange.url, exchange.request_body, exchange.response_body, exchange.error)
        )
        assert PASSWORD not in kept and basic not in kept
        assert "authorization" not in kept.lower()
    assert all("authorization" not in r["headers"] for r in insurer.requests())


async def test_an_answer_the_plugin_cannot_read_is_a_broken_plugin() -> None:
    def garbled(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/quotes":
            return httpx.Response(200, html="<h1>Wartungsarbeiten</h1>")
        if request.url.path == "/v1/applications":
            pdf = "/v1/applications/RS-A-000001/pdf"
            body = {"application_id": "RS-A-000001", "premium": "9.90", "frequency": "monthly"}
            return httpx.Response(201, json={**body, "pdf": pdf})
        return httpx.Response(200, json={"pdf": "not really"})

    http = InsurerHttp("http://radschutz.test", transport=httpx.MockTransport(garbled))
    with pytest.raises(PluginBroken):
        await plugin.quote(context(http), application())
    with pytest.raises(PluginBroken):
        await plugin.submit(context(http), application())
