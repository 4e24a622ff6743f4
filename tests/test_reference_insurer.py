"""The reference insurer (Radschutz) as the portal's plug-in meets it: a real HTTP server on a
socket, spoken to as an insurer's API is, with its wire contract (issue 20's plan): quotes,
refusals in German per field, credentials and agent numbers, idempotent applications and
finalizing, PDFs that name the customer, and the faults tests ask it to play."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.insurer_service import AGENT, PASSWORD, USERNAME, InsurerService
from tests.pdf_text import pdf_text

TODAY = date.today()


@pytest.fixture
def api(insurer: InsurerService) -> Iterator[httpx.Client]:
    with insurer.client() as client:
        yield client


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def quote_of(**changes: Any) -> dict[str, Any]:
    return {
        "object_type": "ebike",
        "price": "2500.00",
        "purchase_date": days_ago(10),
        "country": "DE",
        "instant_cover": False,
        **changes,
    }


def application_of(*, instant_cover: bool = False, **changes: Any) -> dict[str, Any]:
    return {
        "object": {
            "object_type": "ebike",
            "make": "Riese & Müller",
            "model": "Charger4 GT",
            "frame_number": "WRM-7731-XK",
            "price": "2500.00",
            "purchase_date": days_ago(10),
        },
        "customer": {
            "first_name": "Jürgen",
            "last_name": "Größer",
            "birth_date": "1984-03-17",
            "street": "Lindenstraße 5",
            "postal_code": "50667",
            "city": "Köln",
            "country": "DE",
            "email": "juergen@kunde.example",
        },
        "approved_lock": True,
        "leased": False,
        "instant_cover": instant_cover,
        **changes,
    }


def fields_of(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def submit(api: httpx.Client, body: dict[str, Any], key: str = "key-1") -> httpx.Response:
    return api.post("/v1/applications", json=body, headers={"Idempotency-Key": key})


def test_health_answers_without_credentials(insurer: InsurerService) -> None:
    assert httpx.get(f"{insurer.url}/health").json() == {"ok": True}


def test_a_quote_prices_by_object_type_and_price_band(api: httpx.Client) -> None:
    answer = api.post("/v1/quotes", json=quote_of())
    assert answer.status_code == 200
    assert answer.json() == {
        "tariff": {
            "code": "RS-EBIKE-KOMFORT",
            "name": "Radschutz Komfort",
            "premium": "22.50",  # 0.9 % of 2,500 € a month
            "frequency": "monthly",
            "cover": [
                "Diebstahl",
                "Vandalismus",
                "Unfall- und Sturzschäden",
                "Akku- und Elektronikschäden",
                "Pannenhilfe europaweit",
            ],
        },
        "instant_cover_premium": "2.50",
        "instant_cover_available": True,
    }
    instant = api.post("/v1/quotes", json=quote_of(instant_cover=True)).json()
    assert instant["tariff"]["premium"] == "25.00"
    assert "Sofortschutz ohne Wartezeit" in instant["tariff"]["cover"]
    cheap_bike = api.post("/v1/quotes", json=quote_of(object_type="bike", price="300")).json()
    assert cheap_bike["tariff"]["name"] == "Radschutz Basis"
    assert cheap_bike["tariff"]["premium"] == "2.90"  # the bike's minimum, not 0.7 % (2.10)
    battery = api.post("/v1/quotes", json=quote_of(object_type="battery", price="800")).json()
    assert battery["tariff"]["premium"] == "4.00"
    at_premium = api.post("/v1/quotes", json=quote_of(price="9000", country="AT")).json()
    assert at_premium["tariff"]["name"] == "Radschutz Premium"
    assert at_premium["tariff"]["premium"] == "81.00"


def test_instant_cover_only_for_objects_bought_within_30_days(api: httpx.Client) -> None:
    old = api.post("/v1/quotes", json=quote_of(purchase_date=days_ago(60))).json()
    assert old["instant_cover_available"] is False
    refused = api.post("/v1/quotes", json=quote_of(purchase_date=days_ago(60), instant_cover=True))
    assert fields_of(refused) == {
        "instant_cover": "Sofortschutz gibt es nur für Objekte, die vor höchstens 30 Tagen "
        "gekauft wurden."
    }


def test_bad_quote_data_is_refused_per_field_in_german(api: httpx.Client) -> None:
    future = (TODAY + timedelta(days=1)).isoformat()
    body = quote_of(object_type="boat", price="0", purchase_date=future, country="CH")
    assert fields_of(api.post("/v1/quotes", json=body)) == {
        "object_type": "Versicherbar sind Fahrräder, E-Bikes und Akkus.",
        "price": "Der Kaufpreis muss größer als 0 € sein.",
        "purchase_date": "Das Kaufdatum darf nicht in der Zukunft liegen.",
        "country": "Wir versichern nur in Deutschland (DE) und Österreich (AT).",
    }
    too_much = api.post("/v1/quotes", json=quote_of(price="15000.01", purchase_date=days_ago(400)))
    assert fields_of(too_much) == {
        "price": "Versicherbar sind Objekte bis 15.000 € Kaufpreis.",
        "purchase_date": "Versicherbar sind Objekte, die höchstens ein Jahr alt sind.",
    }
    garbled = api.post("/v1/quotes", json=quote_of(price="zwei", purchase_date="17.03.2025"))
    assert set(fields_of(garbled)) == {"price", "purchase_date"}


@pytest.mark.parametrize(
    "auth",
    [None, (USERNAME, "wrong"), ("someone", PASSWORD)],
    ids=["none", "wrong password", "unknown user"],
)
def test_wrong_credentials_answer_401(insurer: InsurerService, auth: Any) -> None:
    with insurer.client(auth=auth) as client:
        answer = client.post("/v1/quotes", json=quote_of())
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_credentials"}


@pytest.mark.parametrize("agent", ["VM-99999", "12345", ""], ids=["unknown", "malformed", "none"])
def test_an_unknown_agent_number_answers_403(insurer: InsurerService, agent: str) -> None:
    with insurer.client(headers={"X-Agent-Number": agent}) as client:
        answer = client.post("/v1/quotes", json=quote_of())
    assert answer.status_code == 403
    assert answer.json() == {"error": "unknown_agent"}


def test_an_application_is_made_once_per_idempotency_key(api: httpx.Client) -> None:
    first = submit(api, application_of())
    assert first.status_code == 201
    assert first.json() == {
        "application_id": "RS-A-000001",
        "tariff": {"code": "RS-EBIKE-KOMFORT", "name": "Radschutz Komfort"},
        "premium": "22.50",
        "frequency": "monthly",
        "pdf": "/v1/applications/RS-A-000001/pdf",
    }
    again = submit(api, application_of())
    assert again.status_code == 200
    assert again.json() == first.json()
    other = submit(api, application_of(instant_cover=True), key="key-2")
    assert other.status_code == 201
    assert other.json()["application_id"] == "RS-A-000002"
    assert other.json()["premium"] == "25.00"
    assert submit(api, application_of(leased=True)).status_code == 409  # key-1, other body
    missing = api.post("/v1/applications", json=application_of())
    assert missing.status_code == 400


def test_an_application_needs_an_approved_lock_and_complete_data(api: httpx.Client) -> None:
    body = application_of(approved_lock=False)
    body["customer"] |= {"postal_code": "1010", "birth_date": days_ago(365 * 10), "email": "x"}
    body["object"] |= {"frame_number": "", "price": "-5"}
    assert fields_of(submit(api, body)) == {
        "approved_lock": "Versicherungsschutz setzt ein zugelassenes Schloss (ab 60 € Kaufpreis)"
        " voraus.",
        "customer.postal_code": "Bitte eine Postleitzahl mit 5 Ziffern angeben.",
        "customer.birth_date": "Versicherungsnehmer müssen volljährig sein.",
        "customer.email": "Bitte eine gültige E-Mail-Adresse angeben.",
        "object.frame_number": "Bitte die Rahmennummer angeben.",
        "object.price": "Bitte den Kaufpreis als Betrag in Euro angeben (z. B. 2499.00).",
    }
    assert submit(api, body, key="key-1").status_code == 422  # a refusal keeps no key
    assert submit(api, application_of(), key="key-1").status_code == 201


def test_the_application_pdf_names_customer_object_and_premium(api: httpx.Client) -> None:
    pdf_path = submit(api, application_of(instant_cover=True)).json()["pdf"]
    with httpx.Client(base_url=str(api.base_url), auth=(USERNAME, PASSWORD)) as plain:
        answer = plain.get(pdf_path)  # no agent number needed for a download
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    text = pdf_text(answer.content)
    for shown in (
        "Antragsnummer RS-A-000001",
        "Jürgen Größer",
        "17.03.1984",
        "Lindenstraße 5, 50667 Köln, Deutschland",
        "E-Bike",
        "Riese & Müller",
        "Charger4 GT",
        "WRM-7731-XK",
        "2.500,00 €",
        "Radschutz Komfort (RS-EBIKE-KOMFORT)",
        "25,00 €",
        "Ja (+2,50 € monatlich)",
        "Unterschrift Versicherungsnehmer",
        AGENT,
    ):
        assert shown in text, shown
    assert api.get("/v1/applications/RS-A-000099/pdf").status_code == 404


def test_finalizing_makes_one_policy_with_its_documents(api: httpx.Client) -> None:
    application_id = submit(api, application_of()).json()["application_id"]
    signed = {"signed_at": "2025-06-14T10:30:00+02:00", "signature": "click"}
    first = api.post(f"/v1/applications/{application_id}/finalize", json=signed)
    assert first.status_code == 200
    assert first.json() == {
        "policy_number": "RS-P-000001",
        "application_id": application_id,
        "start_date": "2025-07-01",  # no Sofortschutz: the first of the following month
        "premium": "22.50",
        "frequency": "monthly",
        "documents": [
            {"id": "policy", "title": "Versicherungsschein"},
            {"id": "terms", "title": "Versicherungsbedingungen"},
        ],
    }
    again = api.post(f"/v1/applications/{application_id}/finalize", json=signed)
    assert again.json() == first.json()
    assert api.post("/v1/applications/RS-A-000099/finalize", json=signed).status_code == 404
    bad = api.post(f"/v1/applications/{application_id}/finalize", json={"signature": "fax"})
    assert set(fields_of(bad)) == {"signed_at", "signature"}

    policy = api.get("/v1/policies/RS-P-000001/documents/policy")
    assert policy.headers["content-type"] == "application/pdf"
    text = pdf_text(policy.content)
    for shown in ("Versicherungsschein", "RS-P-000001", "Jürgen Größer", "01.07.2025", "22,50 €"):
        assert shown in text, shown
    terms = pdf_text(api.get("/v1/policies/RS-P-000001/documents/terms").content)
    assert "Versicherungsbedingungen" in terms
    assert "§ 4 Beginn des Versicherungsschutzes, Sofortschutz" in terms
    assert api.get("/v1/policies/RS-P-000001/documents/other").status_code == 404
    assert api.get("/v1/policies/RS-P-000099/documents/policy").status_code == 404


def test_sofortschutz_covers_from_the_day_of_signing(api: httpx.Client) -> None:
    application_id = submit(api, application_of(instant_cover=True)).json()["application_id"]
    signed = {"signed_at": datetime(2025, 6, 14, 10, 30).isoformat(), "signature": "upload"}
    policy = api.post(f"/v1/applications/{application_id}/finalize", json=signed).json()
    assert policy["start_date"] == "2025-06-14"
    assert policy["premium"] == "25.00"


def test_an_account_sees_only_its_own_applications_and_policies() -> None:
    service = InsurerService(accounts={USERNAME: PASSWORD, "anderer": "geheim"}).start()
    try:
        with service.client() as mine, service.client(auth=("anderer", "geheim")) as theirs:
            application_id = submit(mine, application_of()).json()["application_id"]
            signed = {"signed_at": "2025-06-14T10:30:00", "signature": "click"}
            assert theirs.get(f"/v1/applications/{application_id}/pdf").status_code == 404
            finalize = f"/v1/applications/{application_id}/finalize"
            assert theirs.post(finalize, json=signed).status_code == 404
            assert mine.post(finalize, json=signed).status_code == 200
            document = "/v1/policies/RS-P-000001/documents/policy"
            assert theirs.get(document).status_code == 404
            assert submit(theirs, application_of()).status_code == 201  # same key, own account
    finally:
        service.stop()


def test_requests_are_recorded_without_credentials(
    insurer: InsurerService, api: httpx.Client
) -> None:
    api.post("/v1/quotes", json=quote_of())
    with insurer.client(auth=(USERNAME, "wrong")) as wrong:
        wrong.post("/v1/quotes", json=quote_of(price="99"))
    recorded = insurer.requests()
    assert [(r["method"], r["path"], r["status"]) for r in recorded] == [
        ("POST", "/v1/quotes", 200),
        ("POST", "/v1/quotes", 401),
    ]
    assert recorded[0]["json"] == quote_of()
    assert recorded[0]["headers"]["x-agent-number"] == AGENT
    assert all("authorization" not in r["headers"] for r in recorded)
    insurer.reset()
    assert insurer.requests() == []


def test_slow_fault_outlasts_a_shorter_client_timeout(
    insurer: InsurerService, api: httpx.Client
) -> None:
    insurer.fault("slow", count=1, seconds=1.0)
    with pytest.raises(httpx.ReadTimeout):
        api.post("/v1/quotes", json=quote_of(), timeout=0.3)
    answer = api.post("/v1/quotes", json=quote_of(), timeout=0.9)  # only the next one was slow
    assert answer.status_code == 200


def test_error_fault_answers_500_for_count_requests(
    insurer: InsurerService, api: httpx.Client
) -> None:
    insurer.fault("error", count=1)
    failed = api.post("/v1/quotes", json=quote_of())
    assert failed.status_code == 500
    assert failed.json() == {"error": "internal_error"}
    assert api.post("/v1/quotes", json=quote_of()).status_code == 200


def test_auth_fault_answers_401_to_right_credentials(
    insurer: InsurerService, api: httpx.Client
) -> None:
    insurer.fault("auth", count=2)
    statuses = [api.post("/v1/quotes", json=quote_of()).status_code for _ in range(3)]
    assert statuses == [401, 401, 200]


def test_a_fault_without_count_lasts_until_reset_or_none(
    insurer: InsurerService, api: httpx.Client
) -> None:
    insurer.fault("error")
    assert [api.post("/v1/quotes", json=quote_of()).status_code for _ in range(3)] == [500] * 3
    assert httpx.get(f"{insurer.url}/health").status_code == 200  # only /v1 calls misbehave
    insurer.fault("none")
    assert api.post("/v1/quotes", json=quote_of()).status_code == 200
    insurer.fault("auth")
    insurer.reset()
    assert api.post("/v1/quotes", json=quote_of()).status_code == 200
