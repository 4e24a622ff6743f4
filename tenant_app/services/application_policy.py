"""Finalizing a signed application: the insurer makes the policy, the core fetches its
documents, then writes in one go the contract in the customer's insurance folder (the
customer sees it in *Versicherungen*), the policy documents filed at it, the insured object
marked insured by it, and the case's offer chosen. The insurer's finalize is idempotent, so
a try after a failure (the insurer down, a lost answer) makes no second policy."""

from __future__ import annotations

import io

import anyio
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage
from tenant_app.models.folders import Contract, Document, Insurer
from tenant_app.models.interfaces import InsuredObject, InterfaceApplication
from tenant_app.plugins import CallContext, DocumentRef, InsurerPlugin, Paper, Policy
from tenant_app.schemas.product_lines import line_label
from tenant_app.services import application_case, contracts, document_store, events, insured_objects
from tenant_app.services.insurers import sort_key
from tenant_app.services.interface_applications import (
    application_for,
    call_input,
    connection_of,
    failed_call,
    plugin_of,
    store_changes,
)
from tenant_app.services.interface_calls import Connection, InsurerCallFailed, run_call
from tenant_app.services.upload_checks import Upload
from tenant_app.settings import Settings
from tenant_app.text import i18n
from tenant_app.text.formatting import fmt_date
from tenant_app.text.i18n import gettext as _

CONTRACT_FOLDER = "insurance"
SIGNED = ("signed",)


async def _policy_and_papers(
    settings: Settings, connection: Connection, application: InterfaceApplication
) -> tuple[Policy, list[Paper]]:
    plugin = connection.plugin
    asked = await call_input(application)
    policy = await run_call(
        settings,
        connection,
        application_id=application.id,
        call=lambda ctx: plugin.finalize(ctx, asked),
    )
    papers = []
    for document in policy.documents:

        async def fetch(ctx: CallContext, wanted: DocumentRef = document) -> Paper:
            return await plugin.fetch_document(ctx, policy, wanted)

        papers.append(
            await run_call(settings, connection, application_id=application.id, call=fetch)
        )
    return policy, papers


async def _insurer_listed(name: str) -> None:
    """The insurance folder takes only insurers of the firm's list: the interface's insurer
    joins it with its first policy."""
    if not await Insurer.filter(name=name).exists():
        await Insurer.create(name=name, sort_key=sort_key(name))


def _contract_values(
    plugin: InsurerPlugin, insured: InsuredObject, policy: Policy
) -> dict[str, str]:
    with i18n.using(i18n.DEFAULT_LOCALE):  # stored in German, as staff type them
        note = _(
            "Applied for through the %(insurer)s interface for %(object)s; cover begins %(date)s.",
            insurer=plugin.insurer_name,
            object=insured.label,
            date=fmt_date(policy.start_date),
        )
        line = line_label(insured.product_line)
    return {
        "product_line": line,
        "insurer": plugin.insurer_name,
        "insurance_number": policy.policy_number[:60],
        "status": "active",
        "payment_method": "",
        "payment_frequency": policy.frequency,
        "gross_premium": f"{policy.premium:.2f}".replace(".", ","),
        "note": note,
        "valid_until": "",
    }


async def finalize(
    settings: Settings, store: Storage, actor: CurrentUser, application_id: int
) -> InterfaceApplication:
    """Once: a second finalize returns the application as the first left it."""
    application = await application_for(actor, application_id, write=True)
    if application.status == "finalized":
        return application
    if application.status != "signed":
        raise ValidationFailed({"form": _("Please have the application signed first.")})
    plugin = plugin_of(application)
    connection = await connection_of(settings, actor, application)
    try:
        policy, papers = await _policy_and_papers(settings, connection, application)
    except InsurerCallFailed as failed:
        await failed_call(application, failed, SIGNED)
        raise
    insured = await InsuredObject.get(id=application.insured_object_id)
    try:
        return await _file_policy(
            settings, store, actor, (application, plugin, insured), policy, papers
        )
    except EditConflict:  # finalized meanwhile (a double click, another tab): that one stands
        again = await InterfaceApplication.get(id=application.id)
        if again.status == "finalized":
            return again
        raise
    except ValidationFailed as refused:  # the policy exists at the insurer: say why it is not here
        message = next(iter(refused.errors.values()), "")
        await failed_call(application, InsurerCallFailed({"form": message}, retry=True), SIGNED)
        raise


async def _file_policy(
    settings: Settings,
    store: Storage,
    actor: CurrentUser,
    what: tuple[InterfaceApplication, InsurerPlugin, InsuredObject],
    policy: Policy,
    papers: list[Paper],
) -> InterfaceApplication:
    application, plugin, insured = what
    filed: list[Document] = []
    try:
        async with in_transaction():
            # The status first: a second finalize waits here for this one, then finds nothing
            # to claim and files nothing.
            await store_changes(application, None, expect=SIGNED, status="finalized", last_error="")
            await _insurer_listed(plugin.insurer_name)
            contract = await contracts.create_contract(
                actor,
                contact_id=application.contact_id,
                folder=CONTRACT_FOLDER,
                values=_contract_values(plugin, insured, policy),
            )
            for paper in papers:
                filed += await _file(settings, store, actor, contract, paper)
            await insured_objects.mark_insured(insured, contract, actor=actor)
            await _papers_to_the_contract(application, contract)
            await InterfaceApplication.filter(id=application.id).update(
                contract_id=contract.id, finalized_at=contract.created_at
            )
            done = await InterfaceApplication.get(id=application.id)
            await application_case.finalized(actor, done, contract)
            await events.record(
                actor,
                events.APPLICATION_FINALIZED,
                contact_id=application.contact_id,
                object_type="contract",
                object_id=contract.id,
                title=contracts.title_of(contract),
                tell=events.NOBODY,
            )
    except BaseException:
        with anyio.CancelScope(shield=True):
            await remove_files(store, [document.storage_key for document in filed])
        raise
    return done


async def _papers_to_the_contract(application: InterfaceApplication, contract: Contract) -> None:
    """The application as sent and as signed join the policy documents at the contract, and
    the customer gets them too: what they signed is theirs to keep."""
    papers = [pid for pid in (application.paper_id, application.signed_paper_id) if pid]
    await Document.filter(id__in=papers).update(contract_id=contract.id, shared_with_customer=True)


async def _file(
    settings: Settings, store: Storage, actor: CurrentUser, contract: Contract, paper: Paper
) -> list[Document]:
    """A policy document at the contract, shared with the customer like the contract."""
    return await document_store.store_documents(
        actor,
        store,
        contact_id=contract.contact_id,
        contract=contract,
        folder=CONTRACT_FOLDER,
        uploads=[Upload(io.BytesIO(paper.data), paper.filename, len(paper.data))],
        values={"title": paper.title[:200], "folder": CONTRACT_FOLDER, "category": "policy"},
        max_bytes=settings.max_upload_bytes,
        shared=True,
        announce=False,
    )
