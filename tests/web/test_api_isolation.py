"""Every API operation that names an object in its path keeps tenants apart and keeps to its
scope: another tenant's token gets 404 for this tenant's objects (their existence stays
hidden), and a token of this tenant without the operation's permission gets 403.

Written over the operation registry: a new operation is walked as soon as it is registered.
Its path parameters must name objects the fixture makes (OBJECTS below); one that does not
fails `test_every_path_parameter_names_a_known_object` with the operation's name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, find, settings
from schemathesis import GenerationMode

from tenant_app.api import routing as api_routing
from tenant_app.api.openapi import document
from tenant_app.api.operations import OPERATIONS, PREFIX, Operation
from tenant_app.models.accounts import User
from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.folders import Contract, Document
from tenant_app.models.integration import ImportJob
from tenant_app.models.scoping import tenant_scope
from tenant_app.vocabulary import API_RESOURCES, API_SCOPES
from tests.api_helpers import bearer, make_token, problem_of
from tests.conftest import make_customer
from tests.folder_helpers import add_contract, add_document

assert api_routing.MODULES  # importing the API's routes registers every operation

PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
EXTERNAL_ID = "EXT-1"  # each object of the fixture carries it (one namespace per resource)
# A path parameter's name -> the fixture object it names (by `ApiObjects` attribute).
OBJECTS = {
    "contact_id": "contact",
    "contract_id": "contract",
    "document_id": "document",
    "ticket_id": "ticket",
    "case_id": "case",
    "risk_id": "risk",
    "job_id": "import_job",
    "import_id": "import_job",
    "external_id": "external_id",
}
# An upsert by external id creates the object in the caller's own tenant when it has none
# there: another tenant's token writing under the same external id is no way in.
UPSERTS = {"PUT"}
FIRST_EXAMPLE = settings(
    database=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@dataclass(frozen=True)
class ApiObjects:
    """One of each object the API names by id, all of one customer of one tenant."""

    contact: int
    contract: int
    document: int
    ticket: int
    case: int
    risk: int
    import_job: int
    external_id: str = EXTERNAL_ID

    def path_values(self) -> dict[str, Any]:
        return {name: getattr(self, attr) for name, attr in OBJECTS.items()}


async def make_api_objects(tenant: Any, passwords: Any, settings: Any) -> ApiObjects:
    """Kai Kunde (account, communication and the insurance folder open) with a contract, a
    document, a ticket, an advice case with a risk, and an import job; the contact, contract,
    document and case carry EXTERNAL_ID."""
    kai = await make_customer(
        tenant, passwords, communication=True, insurance_unlock=True, insurance_share=True
    )
    contract = await add_contract(tenant, kai)
    document = await add_document(tenant, settings, kai, contract=contract)
    with tenant_scope(tenant.tenant.id):
        for model, row_id in ((Contact, kai.id), (Contract, contract.id), (Document, document.id)):
            await model.filter(id=row_id).update(external_id=EXTERNAL_ID)
        admin = await User.get(username=f"{tenant.tenant.slug}-admin")
        login = await User.get(contact_id=kai.id)
        ticket = await Conversation.create(
            contact_id=kai.id, subject="Frage zur Police", responsible_id=admin.id, entry_count=1
        )
        await ConversationEntry.create(
            conversation_id=ticket.id, author_id=login.id, by_customer=True, body="Hallo!"
        )
        case = await AdviceCase.create(
            contact_id=kai.id,
            title="Kfz-Wechsel",
            product_lines=["kfz"],
            external_id=EXTERNAL_ID,
            responsible_id=admin.id,
            created_by_id=admin.id,
        )
        risk = await CaseRisk.create(case_id=case.id, product_line="kfz", label="VW Golf")
        job = await ImportJob.create(
            kind="contacts", filename="kontakte.csv", storage_key="none", created_by_id=admin.id
        )
    return ApiObjects(
        contact=kai.id,
        contract=contract.id,
        document=document.id,
        ticket=ticket.id,
        case=case.id,
        risk=risk.id,
        import_job=job.id,
    )


def path_names(op: Operation) -> list[tuple[str, str]]:
    return PARAM.findall(op.path)


def path_of(op: Operation, values: dict[str, Any]) -> str:
    return PREFIX + PARAM.sub(lambda found: str(values[found.group(1)]), op.path)


WITH_PATH_PARAMETERS = [op for op in OPERATIONS if path_names(op)]
NAMED_BY_ID = [
    op
    for op in WITH_PATH_PARAMETERS
    if not (op.method in UPSERTS and any(name == "external_id" for name, _c in path_names(op)))
]


def test_every_path_parameter_names_a_known_object() -> None:
    unknown = {
        f"{op.method} {op.path} ({op.name}): {name}"
        for op in WITH_PATH_PARAMETERS
        for name, _convertor in path_names(op)
        if name not in OBJECTS
    }
    assert not unknown, (
        "path parameters the isolation walk cannot fill: add them to OBJECTS and"
        f" make_api_objects in tests/web/test_api_isolation.py: {sorted(unknown)}"
    )


@cache
def _schema() -> Any:
    return schemathesis.openapi.from_dict(document())


@cache
def _minimal_request(name: str) -> dict[str, Any]:
    """The first request the operation's document accepts (its JSON body or its form fields;
    derandomized, so always the same): the refusal must come from the object, not the input."""
    operation = _schema().find_operation_by_id(name)
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    case = find(strategy, lambda _case: True, settings=FIRST_EXAMPLE)
    kwargs = case.as_transport_kwargs(base_url="http://placeholder")
    return {key: kwargs[key] for key in ("json", "data", "files") if kwargs.get(key) is not None}


def _minimal_body(op: Operation) -> dict[str, Any]:
    return dict(_minimal_request(op.name))


def _without(resource: str) -> list[str]:
    return [scope for scope in API_SCOPES if not scope.startswith(f"{resource}:")]


@pytest.fixture
async def two_tenants(tenant, other_tenant, passwords, settings) -> Any:
    objects = await make_api_objects(tenant, passwords, settings)
    return {
        "objects": objects,
        "theirs": await make_token(other_tenant, name="Fremd"),
        "ours": await make_token(tenant, name="Voll"),
    }


@pytest.mark.parametrize("op", NAMED_BY_ID, ids=lambda op: op.name)
async def test_another_tenants_token_finds_nothing_here(
    op: Operation, two_tenants: dict[str, Any], client_for: Any, tenant: Any, other_tenant: Any
) -> None:
    values = two_tenants["objects"].path_values()
    path = path_of(op, values)
    headers = {"If-Match": '"1"'} if op.conditional else {}
    there = client_for(other_tenant.hostname)
    answer = await there.request(
        op.method, path, headers=bearer(two_tenants["theirs"], **headers), **_minimal_body(op)
    )
    assert answer.status_code == 404, f"{op.name} {path}: {answer.status_code} {answer.text[:300]}"
    problem_of(answer, 404)
    if op.method == "GET":  # the ids are real: this tenant's own token reads them
        here = client_for(tenant.hostname)
        own = await here.get(path, headers=bearer(two_tenants["ours"]))
        assert own.status_code == 200, f"{op.name} {path}: {own.status_code} {own.text[:300]}"


@pytest.mark.parametrize(
    "op", [op for op in WITH_PATH_PARAMETERS if op.scope != "any"], ids=lambda op: op.name
)
async def test_a_token_without_the_permission_is_refused(
    op: Operation, tenant: Any, passwords: Any, settings: Any, client: Any
) -> None:
    objects = await make_api_objects(tenant, passwords, settings)
    resource = op.scope.partition(":")[0]
    assert resource in API_RESOURCES, f"{op.name}: unknown scope {op.scope}"
    secret = await make_token(tenant, _without(resource), name="Ohne")
    path = path_of(op, objects.path_values())
    headers = {"If-Match": '"1"'} if op.conditional else {}
    answer = await client.request(
        op.method, path, headers=bearer(secret, **headers), **_minimal_body(op)
    )
    assert op.scope in problem_of(answer, 403)["detail"], op.name
    if op.scope.endswith(":write"):  # read alone does not allow writing either
        reader = await make_token(tenant, [*_without(resource), f"{resource}:read"], name="Leser")
        again = await client.request(
            op.method, path, headers=bearer(reader, **headers), **_minimal_body(op)
        )
        problem_of(again, 403)
