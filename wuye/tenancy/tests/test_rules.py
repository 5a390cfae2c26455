"""A project's rules (规则设置): the seeds' defaults until changed, GET|PATCH /api/v1/projects/{id}/rules, bounds
named per field, who may change what, and every change an event with from/to."""

from wuye.core.events import timeline
from wuye.people.access import actor_for
from wuye.tenancy.models import ProjectRules
from wuye.tenancy.rules import RULE_DEFAULTS, rules_for, update_rules

SEED_DEFAULTS = {"repeat_window_days": 30, "return_visit_hours": 24, "complaint_approver": "company_admin",
                 "notice_lead_days": 15, "dunning_reminder_days": 30, "dunning_letter_days": 60,
                 "parking_free_minutes": 15, "parking_daily_cap_yuan": 20, "patrol_every_minutes": 120,
                 "patrol_key_area_every_minutes": 60}
PARKING_AND_PATROLS = {"parking_free_minutes": "15", "parking_daily_cap_yuan": "20", "patrol_every_minutes": "120",
                       "patrol_key_area_every_minutes": "60"}


def patch(client, project, body):
    return client.client.patch(f"/api/v1/projects/{project.pk}/rules", body, content_type="application/json",
                               **client.headers)


def test_a_new_project_has_the_seeds_defaults_each_with_its_source(world, api):
    assert {name: rule.default for name, rule in RULE_DEFAULTS.items()} == SEED_DEFAULTS
    assert rules_for(world.project1).values == SEED_DEFAULTS
    body = api("kefu").get(f"/api/v1/projects/{world.project1.pk}/rules").json()
    rules = {rule["name"]: rule for rule in body["rules"]}
    assert {name: rule["value"] for name, rule in rules.items()} == SEED_DEFAULTS
    assert all(rule["is_default"] and rule["source"] for rule in rules.values())
    assert "物业管理服务流程培训教材" in rules["complaint_approver"]["source"]  # seed 001, named as staff know it
    assert rules["repeat_window_days"]["min"] == 1 and rules["repeat_window_days"]["max"] == 365
    assert not ProjectRules.objects.exists()  # reading writes nothing


def test_the_manager_changes_a_rule_with_a_reason_and_the_change_is_on_record(world, api):
    response = patch(api("jingli"), world.project1, {"repeat_window_days": 45, "reason": "业主委员会要求"})
    assert response.status_code == 200, response.content
    rules = {rule["name"]: rule for rule in response.json()["rules"]}
    assert rules["repeat_window_days"]["value"] == 45 and not rules["repeat_window_days"]["is_default"]
    assert rules["repeat_window_days"]["default"] == 30
    assert rules_for(world.project1.pk).repeat_window_days == 45
    assert rules_for(world.project2.pk).repeat_window_days == 30  # the other project keeps its own
    event = timeline(world.project1).get(verb="project.rules_changed")
    assert event.actor == world.user("jingli")
    assert event.data == {"changes": {"repeat_window_days": {"from": 30, "to": 45}}, "reason": "业主委员会要求"}
    # The same values again change nothing and record nothing.
    assert patch(api("jingli"), world.project1, {"repeat_window_days": 45, "reason": "再次"}).status_code == 200
    assert timeline(world.project1).filter(verb="project.rules_changed").count() == 1


def test_a_value_outside_its_bounds_is_refused_naming_the_field_and_nothing_is_written(world, api):
    response = patch(api("jingli"), world.project1, {"repeat_window_days": 3000, "notice_lead_days": 20,
                                                     "reason": "打错了"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["repeat_window_days"]
    assert not ProjectRules.objects.exists()
    response = patch(api("jingli"), world.project1, {"dunning_letter_days": 30, "reason": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "dunning_letter_days"  # not before the reminder
    assert patch(api("jingli"), world.project1, {"notice_lead_days": 20, "reason": ""}).json()["errors"][0][
        "field"] == "reason"
    assert patch(api("jingli"), world.project1, {"notice_lead_days": 0, "reason": "x"}).status_code == 422
    assert patch(api("admin"), world.project1, {"complaint_approver": "owner", "reason": "x"}).status_code == 422
    assert not ProjectRules.objects.exists()
    assert not timeline(world.project1).filter(verb="project.rules_changed").exists()


def test_who_may_read_and_change_the_rules(world, api):
    url = f"/api/v1/projects/{world.project1.pk}/rules"
    assert api("kefu2").get(url).status_code == 404  # another project's staff
    assert api("yezhu").get(url).status_code == 403  # owners
    assert patch(api("kefu"), world.project1, {"notice_lead_days": 20, "reason": "x"}).status_code == 403
    assert patch(api("caiwu"), world.project1, {"notice_lead_days": 20, "reason": "x"}).status_code == 403
    assert patch(api("kefu2"), world.project1, {"notice_lead_days": 20, "reason": "x"}).status_code == 404
    # Who approves a major complaint is the company's to decide, not the manager's own.
    assert patch(api("jingli"), world.project1, {"complaint_approver": "project_manager",
                                                 "reason": "x"}).status_code == 403
    assert patch(api("admin"), world.project1, {"complaint_approver": "project_manager",
                                                "reason": "项目经理审批"}).status_code == 200
    assert rules_for(world.project1).complaint_approver == "project_manager"


def test_a_changed_rule_is_read_at_once_through_the_project_in_hand(world):
    project = world.project1
    assert rules_for(project).notice_lead_days == 15  # kept on the instance
    update_rules(actor_for(world.user("jingli")), project, {"notice_lead_days": 20}, reason="提前通知")
    assert rules_for(project).notice_lead_days == 20
    assert rules_for(project.pk).notice_lead_days == 20


# -- the rules page ------------------------------------------------------------------------------------------------
def test_the_rules_page_shows_each_rule_its_default_and_source_and_the_manager_changes_one(world, login):
    url = f"/console/projects/{world.project1.pk}/rules/"
    page = login("kefu").get(url)
    assert page.status_code == 200
    text = page.content.decode()
    # where each default comes from, named as the company's staff know the documents
    sources = ("《服务规范》第 3 节", "《物业管理服务流程培训教材》", "《客户服务中心工作手册》")
    assert all(source in text for source in sources)
    assert 'name="repeat_window_days"' not in text  # customer service reads, does not change
    assert login("kefu2").get(url).status_code == 404
    manager = login("jingli")
    form = manager.get(url).content.decode()
    assert 'name="repeat_window_days"' in form and 'name="complaint_approver"' not in form  # the company's
    refused = manager.post(url, {"repeat_window_days": "3000", "return_visit_hours": "24", "notice_lead_days": "15",
                                 "dunning_reminder_days": "30", "dunning_letter_days": "60", "reason": "x",
                                 **PARKING_AND_PATROLS})
    assert refused.status_code == 200 and 'id="id_repeat_window_days"' in refused.content.decode()
    assert "has-error" in refused.content.decode() and not ProjectRules.objects.exists()
    saved = manager.post(url, {"repeat_window_days": "45", "return_visit_hours": "24", "notice_lead_days": "15",
                               "dunning_reminder_days": "30", "dunning_letter_days": "60", "reason": "业主委员会要求",
                               **PARKING_AND_PATROLS})
    assert saved.status_code == 302
    assert rules_for(world.project1.pk).repeat_window_days == 45
    event = timeline(world.project1).get(verb="project.rules_changed")
    assert event.data["changes"] == {"repeat_window_days": {"from": 30, "to": 45}}
    history = manager.get(url).content.decode()
    assert "业主委员会要求" in history and "30" in history and "45" in history


# -- who approves a major complaint's resolution (seed 001: company senior management) ----------------------------
def test_the_resolution_of_a_major_complaint_waits_for_the_approver_the_project_chose(world):
    from django.contrib.auth import get_user_model

    from wuye.core.models import Notification
    from wuye.people.models import StaffProfile
    from wuye.workorders.models import Category
    from wuye.workorders.services import ActionInput, allowed_actions, perform

    senior = get_user_model().objects.create_user("gaoguan", first_name="高管")
    StaffProfile.objects.create(user=senior, company=world.company, role="company_admin", all_projects=True)
    kefu, engineer = actor_for(world.user("kefu")), actor_for(world.user("gongcheng"))
    manager, company = actor_for(world.user("jingli")), actor_for(senior)

    def resolved_major():
        ticket = world.ticket(world.project1, kind="complaint", unit=world.owner_unit("yezhu"), is_major=True,
                              category=Category.objects.get(project=world.project1, code="engineering-quality"))
        perform(kefu, ticket, "assign", ActionInput(department="engineering"))
        return perform(engineer, ticket, "resolve", ActionInput(resolution="赔偿并返修"))

    def told(user, ticket):
        return Notification.objects.filter(recipient=user, source_id=ticket.pk).exists()

    ticket = resolved_major()
    assert ticket.status == "pending_approval"
    assert told(senior, ticket) and not told(world.user("jingli"), ticket)
    assert "approve" not in allowed_actions(manager, ticket) and "approve" in allowed_actions(company, ticket)

    update_rules(actor_for(world.user("admin")), world.project1, {"complaint_approver": "project_manager"},
                 reason="项目经理审批")
    ticket = resolved_major()
    assert told(world.user("jingli"), ticket)
    assert {"approve", "reject"} <= set(allowed_actions(manager, ticket))
    assert perform(manager, ticket, "approve").status == "resolved"
