"""No write without a record in the admin site: money is read-only there, every other admin that writes records
its saves and deletions in the event log, with the acting user, in the transaction of the change."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse

from wuye.billing import models as billing
from wuye.core.admin import RecordedAdmin
from wuye.core.models import Event
from wuye.core.money import MoneyField
from wuye.people.access import actor_for
from wuye.people.models import Resident
from wuye.tenancy.models import Building, Unit

# Money moves only through billing's services (the one ledger); the admin may show it, never change it.
MONEY_MODELS = {billing.Bill, billing.LedgerEntry, billing.Payment, billing.Allocation, billing.Receipt,
                billing.RefundRequest, billing.PaymentIntent, billing.BillingRun, billing.BillingNotice,
                billing.SharedCost}
# Models with money fields that are a catalogue (prices), edited in the admin on record.
MONEY_CATALOGUE = {billing.ChargeItem, billing.Tariff, billing.ParkingPass}


def _superuser_request(world):
    request = RequestFactory().get("/admin/")
    request.user = world.user("admin")
    return request


def _writes(model_admin, request) -> bool:
    return (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request))


def test_every_registered_admin_is_read_only_for_money_or_recorded(world):
    request = _superuser_request(world)
    assert request.user.is_superuser
    registry = admin.site._registry
    assert set(registry) >= MONEY_MODELS, "every money model can be looked at in the admin"
    unrecorded = []
    for model, model_admin in registry.items():
        has_money = any(isinstance(field, MoneyField) for field in model._meta.get_fields())
        if model in MONEY_MODELS or (has_money and model not in MONEY_CATALOGUE):
            assert not model_admin.has_add_permission(request), model
            assert not model_admin.has_change_permission(request), model
            assert not model_admin.has_delete_permission(request), model
            assert model_admin.has_view_permission(request), model
        elif _writes(model_admin, request) and not isinstance(model_admin, RecordedAdmin):
            unrecorded.append(model._meta.label)
    assert unrecorded == [], f"admins that write without recording an event: {unrecorded}"


def test_money_is_shown_but_cannot_be_changed_through_the_admin(world, login):
    bill = world.bill(world.owner_unit("yezhu"))
    client = login("admin")
    for model in MONEY_MODELS:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, model
    change_url = reverse("admin:billing_bill_change", args=[bill.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and "320.50" in page.content.decode() and 'name="_save"' not in page.content.decode()
    # What the issue reproduced: amount, paid and written-off edited with no ledger entry — now refused.
    refused = client.post(change_url, {"amount": "1.00", "paid": "1.00", "written_off": "0", "due_on": "2026-11-15"})
    assert refused.status_code == 403
    assert client.post(reverse("admin:billing_bill_delete", args=[bill.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:billing_bill_add")).status_code == 403
    bill.refresh_from_db()
    assert (bill.amount, bill.paid, bill.written_off) == (Decimal("320.50"), Decimal("0.00"), Decimal("0.00"))


def _form_data(page) -> dict:
    """The POST data of an admin change page as the browser would send it unchanged (main form and inlines)."""
    data = {}

    def add(form, prefix=""):
        for name in form.fields:
            value = form[name].value()
            key = f"{prefix}{name}"
            if isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = "" if value is None else str(value)

    add(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form, f"{formset.prefix}-")
        for index, form in enumerate(formset.forms):
            add(form, f"{formset.prefix}-{index}-")
    return data


def test_an_admin_change_records_an_event_with_the_fields_and_the_user(world, login):
    unit = Unit.objects.filter(project=world.project1).order_by("id").first()
    client = login("admin")
    url = reverse("admin:tenancy_unit_change", args=[unit.pk])
    unchanged = _form_data(client.get(url))
    response = client.post(url, {**unchanged, "area": "123.45"})
    assert response.status_code == 302, response.context["errors"]
    unit.refresh_from_db()
    assert unit.area == Decimal("123.45")
    event = Event.objects.for_subject(unit).get(verb="admin.changed")
    assert event.actor == world.user("admin") and event.project_id == world.project1.pk
    assert event.data == {"fields": ["area"]}
    # Saving without a change is not a step on record.
    assert client.post(url, _form_data(client.get(url))).status_code == 302
    assert Event.objects.for_subject(unit).filter(verb="admin.changed").count() == 1


def test_adding_and_deleting_through_the_admin_are_recorded(world, login):
    client = login("admin")
    building = Building.objects.filter(project=world.project1).order_by("id").first()
    add_url = reverse("admin:tenancy_unit_add")
    response = client.post(add_url, {**_form_data(client.get(add_url)), "project": world.project1.pk,
                                     "building": building.pk, "entrance": "9", "floor": 9, "number": "909",
                                     "area": "88.00"})
    assert response.status_code == 302, response.context["errors"]
    unit = Unit.objects.get(building=building, number="909")
    added = Event.objects.for_subject(unit).get(verb="admin.added")
    assert added.actor.username == "admin" and {"number", "area"} <= set(added.data["fields"])

    # The change list's "delete selected" action runs outside the change form's transaction: recorded too.
    deleted_id = unit.pk
    response = client.post(reverse("admin:tenancy_unit_changelist"),
                           {"action": "delete_selected", "_selected_action": [deleted_id], "post": "yes"})
    assert response.status_code == 302 and not Unit.objects.filter(pk=deleted_id).exists()
    event = Event.objects.get(verb="admin.deleted", subject_id=deleted_id, subject_type__model="unit")
    assert event.actor.username == "admin" and event.project_id == world.project1.pk
    assert event.data["model"] == "tenancy.unit" and "909" in event.data["object"]


def test_an_inline_change_is_named_in_the_event(world, login):
    resident = Resident.objects.filter(project=world.project1, residencies__isnull=False).first()
    client = login("admin")
    url = reverse("admin:people_resident_change", args=[resident.pk])
    data = _form_data(client.get(url))
    data["vehicles-TOTAL_FORMS"] = int(data["vehicles-TOTAL_FORMS"]) + 1
    new = int(data["vehicles-TOTAL_FORMS"]) - 1
    data.update({f"vehicles-{new}-plate": "沪A12345", f"vehicles-{new}-kind": "car", f"vehicles-{new}-brand": "",
                 f"vehicles-{new}-resident": resident.pk})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    event = Event.objects.for_subject(resident).get(verb="admin.changed")
    assert event.data == {"fields": [], "inlines": {"vehicle": {"added": 1}}}
    assert "沪A12345" not in str(event.data)  # names of what changed, never the values (PII)


def test_a_password_set_in_the_admin_is_recorded(world, login):
    yezhu = world.user("yezhu")
    client = login("admin")
    url = reverse("admin:auth_user_password_change", args=[yezhu.pk])
    response = client.post(url, {"password1": "Xq7!vellum-42", "password2": "Xq7!vellum-42",
                                 "usable_password": "true"})
    assert response.status_code == 302 and response.url != url
    yezhu = get_user_model().objects.get(pk=yezhu.pk)
    assert yezhu.check_password("Xq7!vellum-42")
    event = Event.objects.for_subject(yezhu).get(verb="admin.changed")
    assert event.data == {"fields": ["password"]} and event.actor.username == "admin"
    # A refused form changes nothing and records nothing.
    assert client.post(url, {"password1": "a", "password2": "b", "usable_password": "true"}).status_code == 200
    assert Event.objects.for_subject(yezhu).filter(verb="admin.changed").count() == 1


@pytest.mark.parametrize("model", sorted(MONEY_MODELS, key=lambda m: m.__name__), ids=lambda m: m.__name__)
def test_money_admins_offer_no_delete_action(world, model):
    request = _superuser_request(world)
    assert "delete_selected" not in admin.site._registry[model].get_actions(request)


def test_every_admin_list_and_detail_page_opens_for_the_superuser(world, login):
    from wuye.billing import dunning, services

    unit = world.owner_unit("yezhu")
    bill = world.bill(unit)
    services.pay(actor_for(world.user("caiwu")), unit, "300.00", channel="cash", idempotency_key="admin-pages")
    dunning.issue_payment_notices(world.project1, [bill])
    client = login("admin")
    for model in admin.site._registry:
        opts = model._meta
        listed = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert listed.status_code == 200, opts.label
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            shown = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
            assert shown.status_code == 200, opts.label


def test_deleting_an_api_token_in_the_admin_revokes_it_through_the_service(world, api):
    from wuye.core.models import ApiToken

    caller = api("kefu")
    assert caller.get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get(user__username="kefu")
    admin_client = Client()
    admin_client.force_login(world.user("admin"))
    response = admin_client.post(f"/admin/core/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert caller.get("/api/v1/me").status_code == 401
    revoked = Event.objects.get(verb="auth.token_revoked")
    assert revoked.actor.username == "admin" and revoked.data["reason"] == "admin"
