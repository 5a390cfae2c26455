"""The web faces of work orders: the console inbox, ticket page and its action forms, the dispatch board, the
complaint ledger and weekly analysis, and the owner portal's report / my-tickets / sign-off pages."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from wuye.people.access import actor_for
from wuye.tenancy.models import Unit
from wuye.workorders.models import Category, ChargeLine, ImprovementAction, Photo, PriceItem, Status, Ticket
from wuye.workorders.services import ActionInput, TicketInput, create_ticket, perform


def _picture(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 90, 200)).save(out, kind)
    return out.getvalue()


PNG = _picture("PNG")
JPEG = _picture("JPEG")
WEBP = _picture("WEBP")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def html_of(response):
    return response.content.decode()


def complaint_category(world, code, project=None):
    return Category.objects.get(project=project or world.project1, kind="complaint", code=code)


def _post_action(client, ticket, action, **fields):
    fields.setdefault("version", Ticket.objects.get(pk=ticket.pk).version)
    return client.post(f"/console/tickets/{ticket.pk}/actions/{action}/", fields)


# -- the inbox ----------------------------------------------------------------------------------------------------
def test_inbox_lists_only_tickets_in_scope(world, login):
    mine, theirs = world.ticket(world.project1), world.ticket(world.project2, description="楼道灯不亮")
    html = html_of(login("kefu").get("/console/tickets/"))
    assert mine.number in html and theirs.number not in html
    client = login("kefu2")
    html = html_of(client.get("/console/tickets/"))
    assert theirs.number in html and mine.number not in html
    assert client.get(f"/console/tickets/{mine.pk}/").status_code == 404
    assert client.post(f"/console/tickets/{mine.pk}/actions/cancel/", {"version": 0, "reason": "x"}).status_code == 404
    # a project filter pointing outside the scope is simply dropped, nothing leaks
    html = html_of(client.get("/console/tickets/", {"project": world.project1.pk}))
    assert mine.number not in html


def test_inbox_filters_colours_and_htmx_fragment(world, login):
    kefu = actor_for(world.user("kefu"))
    unit = world.owner_unit("yezhu")
    now = timezone.now()
    late = create_ticket(kefu, project=world.project1, now=now - timedelta(hours=2), data=TicketInput(
        kind="repair", channel="phone", unit=unit, description="卫生间下水堵了"))
    risky = create_ticket(kefu, project=world.project1, now=now - timedelta(minutes=50), data=TicketInput(
        kind="repair", channel="phone", unit=unit, description="阳台灯不亮"))
    fresh = world.ticket(world.project1, description="门锁坏了")
    complaint = world.ticket(world.project1, kind="complaint", description="保洁不及时",
                             category=complaint_category(world, "attitude"))
    client = login("kefu")
    html = html_of(client.get("/console/tickets/"))
    row = lambda ticket: re.search(rf'<tr class="([^"]*)">\s*<td class="nowrap"><a[^>]*>{ticket.number}', html)  # noqa: E731
    assert "row-due-breached" in row(late)[1]
    assert "row-due-risk" in row(risky)[1]
    assert "row-due-ok" in row(fresh)[1]

    overdue = html_of(client.get("/console/tickets/", {"overdue": "on"}))
    assert late.number in overdue and risky.number not in overdue and fresh.number not in overdue
    at_risk = html_of(client.get("/console/tickets/", {"at_risk": "on"}))
    assert risky.number in at_risk and late.number not in at_risk
    complaints = html_of(client.get("/console/tickets/", {"kind": "complaint"}))
    assert complaint.number in complaints and fresh.number not in complaints
    found = html_of(client.get("/console/tickets/", {"q": fresh.number}))
    assert fresh.number in found and late.number not in found

    fragment = client.get("/console/tickets/", {"kind": "repair"}, headers={"hx-request": "true"})
    text = html_of(fragment)
    assert fragment.status_code == 200 and "<html" not in text and 'id="ticket-results"' in text
    assert "HX-Request" in fragment["Vary"]


def test_inbox_paginates_and_its_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    client = login("kefu")
    for index in range(3):
        world.ticket(world.project1, description=f"报修 {index}")
    client.get("/console/tickets/")  # warm the content-type cache
    with django_assert_max_num_queries(16):
        assert client.get("/console/tickets/").status_code == 200
    for index in range(55):
        world.ticket(world.project1, description=f"更多报修 {index}", category=Category.objects.get(
            project=world.project1, kind="repair", code="leak"))
    with django_assert_max_num_queries(16):
        html = html_of(client.get("/console/tickets/"))
    assert "58" in html and "?page=2" in html


def test_engineering_starts_with_open_repairs_their_own_first(world, login):
    mine, other = world.ticket(world.project1, description="我的"), world.ticket(world.project1, description="别人")
    perform(actor_for(world.user("kefu")), mine, "dispatch", ActionInput(assignee=world.user("gongcheng")))
    complaint = world.ticket(world.project1, kind="complaint", description="投诉")
    html = html_of(login("gongcheng").get("/console/tickets/"))
    assert complaint.number not in html
    assert html.index(mine.number) < html.index(other.number)


def test_console_navigation_and_owner_tiles(world, login):
    html = html_of(login("kefu").get("/console/"))
    assert 'href="/console/tickets/"' in html and "工单" in html
    html = html_of(login("yezhu").get("/h5/"))
    assert 'href="/h5/repairs/"' in html and 'href="/h5/feedback/"' in html


# -- receiving at the console -----------------------------------------------------------------------------------
def test_front_desk_receives_a_ticket_with_the_form(world, login):
    client = login("kefu")
    unit = world.owner_unit("yezhu")
    page = client.get("/console/tickets/new/")
    assert page.status_code == 200 and 'name="description"' in html_of(page)
    # changing the kind re-renders the dependent choices (htmx): complaint categories, complaint urgencies
    refreshed = html_of(client.get("/console/tickets/new/", {"refresh": "1", "kind": "complaint",
                                                             "project": world.project1.pk}))
    assert "服务态度" in refreshed and "水管爆裂" not in refreshed and 'value="important"' in refreshed
    refreshed = html_of(client.get("/console/tickets/new/", {"refresh": "1", "kind": "repair",
                                                             "project": world.project1.pk,
                                                             "building": unit.building_id}))
    assert f'value="{unit.pk}"' in refreshed

    missing = client.post("/console/tickets/new/", {"project": world.project1.pk, "kind": "repair",
                                                    "channel": "phone", "urgency": "general", "description": ""})
    assert missing.status_code == 422 and "field-error" in html_of(missing)
    no_unit = client.post("/console/tickets/new/", {"project": world.project1.pk, "kind": "repair",
                                                    "channel": "phone", "urgency": "general",
                                                    "description": "漏水"})
    assert no_unit.status_code == 422 and "公共区域" in html_of(no_unit)  # the service's message, on the form
    assert not Ticket.objects.exists()

    created = client.post("/console/tickets/new/", {
        "project": world.project1.pk, "kind": "repair", "channel": "phone", "urgency": "emergency",
        "building": unit.building_id, "unit": unit.pk, "description": "厨房水管爆裂",
        "category": Category.objects.get(project=world.project1, code="burst-pipe").pk,
        "contact_name": "李先生", "contact_phone": "13812345678", "preferred_time": "",
    })
    ticket = Ticket.objects.get()
    assert created.status_code == 302 and created.url == f"/console/tickets/{ticket.pk}/"
    assert ticket.urgency == "emergency" and ticket.unit == unit and ticket.first_receiver == world.user("kefu")
    assert ticket.contact_phone == "13812345678"
    html = html_of(client.get(created.url))
    assert ticket.number in html and "紧急报修派单" in html


# -- the ticket page and its actions ------------------------------------------------------------------------------
def test_ticket_page_shows_header_clocks_timeline_and_masks_phones(world, login):
    ticket = world.ticket(world.project1, contact_name="张女士", contact_phone="13912345678")
    html = html_of(login("kefu").get(f"/console/tickets/{ticket.pk}/"))
    assert ticket.number in html and "报修" in html and "status-new" in html and "新建" in html
    assert "一般报修派单" in html  # the SLA clock's policy
    assert "受理" in html  # the timeline's readable verb (ticket.created)
    assert "13912345678" in html  # customer service may see contact data
    assert f'action="/console/tickets/{ticket.pk}/actions/dispatch/"' in html
    html = html_of(login("gongcheng").get(f"/console/tickets/{ticket.pk}/"))
    assert "13912345678" not in html and "139****5678" in html


def test_dispatch_by_customer_service_to_an_engineer(world, login):
    ticket = world.ticket(world.project1)
    engineer = world.user("gongcheng")
    response = _post_action(login("kefu"), ticket, "dispatch", assignee=engineer.pk)
    assert response.status_code == 302 and response.url == f"/console/tickets/{ticket.pk}/"
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.assignee == engineer and ticket.version == 1
    # the engineer now has accept on their page; a non-engineer is no valid assignee
    html = html_of(login("gongcheng").get(f"/console/tickets/{ticket.pk}/"))
    assert f"/console/tickets/{ticket.pk}/actions/accept/" in html


def test_a_wrong_assignee_or_missing_reason_is_a_form_error(world, login):
    ticket = world.ticket(world.project1)
    client = login("kefu")
    response = _post_action(client, ticket, "dispatch", assignee=world.user("zhixu").pk)
    assert response.status_code == 422 and "field-error" in html_of(response)
    assert "<details" in html_of(response) and 'id="action-dispatch" open' in html_of(response)
    response = _post_action(client, ticket, "cancel", reason="")
    assert response.status_code == 422
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.version == 0


def test_a_stale_page_gets_the_conflict_message_and_changes_nothing(world, login):
    ticket = world.ticket(world.project1)
    client = login("kefu")
    seen = ticket.version
    perform(actor_for(world.user("jingli")), ticket, "dispatch", ActionInput(assignee=world.user("gongcheng")))
    response = _post_action(client, ticket, "cancel", version=seen, reason="业主自行修好")
    html = html_of(response)
    assert response.status_code == 409
    assert "其他人" in html or "someone else" in html.lower()
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.version == 1 and not ticket.cancel_reason


def test_engineering_gets_no_reply_button_and_a_forced_reply_is_refused(world, login):
    complaint = world.ticket(world.project1, kind="complaint", category=complaint_category(world, "facilities"),
                             description="电梯经常停运")
    kefu = actor_for(world.user("kefu"))
    perform(kefu, complaint, "assign", ActionInput(department="engineering"))
    client = login("gongcheng")
    html = html_of(client.get(f"/console/tickets/{complaint.pk}/"))
    assert "/actions/resolve/" in html
    assert _post_action(client, complaint, "resolve", resolution="更换电梯门机").status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    html = html_of(client.get(f"/console/tickets/{complaint.pk}/"))
    assert "/actions/reply/" not in html
    forced = _post_action(client, complaint, "reply", reply="抱歉", improvement="加强巡检")
    assert forced.status_code == 403 and "flash-error" in html_of(forced)
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED and not complaint.reply
    assert client.post(f"/console/tickets/{complaint.pk}/actions/no-such/", {"version": 0}).status_code == 404


def test_a_repair_through_the_action_forms_with_parts(world, login):
    ticket = world.ticket(world.project1, unit=world.owner_unit("yezhu"))
    kefu, gongcheng = login("kefu"), login("gongcheng")
    _post_action(kefu, ticket, "dispatch", assignee=world.user("gongcheng").pk)
    _post_action(gongcheng, ticket, "accept")
    _post_action(gongcheng, ticket, "arrive")
    tap = PriceItem.objects.get(project=world.project1, code="tap")
    labour = PriceItem.objects.get(project=world.project1, code="labour-basic")
    foreign = PriceItem.objects.get(project=world.project2, code="tap")
    bad = _post_action(gongcheng, ticket, "complete", work_done="更换龙头", part_item_0=foreign.pk, part_qty_0="1")
    assert bad.status_code == 422 and not ChargeLine.objects.exists()
    half = _post_action(gongcheng, ticket, "complete", work_done="更换龙头", part_item_0=tap.pk)
    assert half.status_code == 422
    done = _post_action(gongcheng, ticket, "complete", work_done="更换龙头", part_item_0=tap.pk, part_qty_0="1",
                        part_item_1=labour.pk, part_qty_1="1")
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.COMPLETED
    assert sorted(str(line.amount) for line in ticket.charge_lines.all()) == ["30.00", "45.00"]
    html = html_of(kefu.get(f"/console/tickets/{ticket.pk}/"))
    assert "75.00" in html and "维修完成" in html


# -- the dispatch board ------------------------------------------------------------------------------------------
def test_dispatch_board_groups_open_repairs_by_stage(world, login):
    new, sent = world.ticket(world.project1, description="新报修"), world.ticket(world.project1, description="已派")
    perform(actor_for(world.user("kefu")), sent, "dispatch", ActionInput(assignee=world.user("gongcheng")))
    world.ticket(world.project2, description="别的项目")
    response = login("gongcheng").get("/console/tickets/dispatch/")
    html = html_of(response)
    assert response.status_code == 200
    columns = {m[1]: m[2] for m in re.finditer(r'board-column board-(\w+)">(.*?)</section>', html, re.S)}
    assert new.number in columns["new"] and sent.number in columns["dispatched"]
    assert "别的项目" not in html


# -- complaint ledger and weekly analysis ------------------------------------------------------------------------
@pytest.fixture
def complaints(world):
    made = []
    for code, count in (("attitude", 3), ("fees", 1), ("neighbour", 2)):
        for index in range(count):
            made.append(world.ticket(world.project1, kind="complaint", category=complaint_category(world, code),
                                     description=f"投诉 {code} {index}", contact_phone="13700001111"))
    world.ticket(world.project2, kind="complaint", category=complaint_category(world, "fees", world.project2),
                 description="翠湖湾投诉")
    return made


def test_complaint_ledger_lists_the_days_complaints_and_exports(world, login, complaints):
    kefu = actor_for(world.user("kefu"))
    perform(kefu, complaints[0], "assign", ActionInput(department="customer_service"))
    perform(kefu, complaints[0], "resolve", ActionInput(resolution="当面致歉并批评教育当事员工"))
    client = login("kefu")
    today = timezone.localdate()
    html = html_of(client.get("/console/complaints/ledger/"))
    assert re.search(r'data-stat="total">6<', html)
    assert "当面致歉并批评教育当事员工" in html and "服务态度" in html and "翠湖湾投诉" not in html
    yesterday = html_of(client.get("/console/complaints/ledger/", {"date": (today - timedelta(days=1)).isoformat()}))
    assert re.search(r'data-stat="total">0<', yesterday)
    assert client.get("/console/complaints/ledger/", {"date": "not-a-date"}).status_code == 200

    exported = client.get("/console/complaints/ledger/", {"date": today.isoformat(), "format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 7 and "137****1111" in rows[1] and "13700001111" not in exported.content.decode()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/console/complaints/ledger/", {"format": "xlsx"}).content))
    assert book.active.max_row == 2 + 6


def test_weekly_analysis_pareto_and_improvement_actions(world, login, complaints):
    client = login("kefu")
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    response = client.get("/console/complaints/analysis/", {"week": (monday + timedelta(days=2)).isoformat()})
    html = html_of(response)
    assert response.status_code == 200 and re.search(r'data-stat="total">6<', html)
    assert "<svg" in html and "polyline" in html and "<script" not in html.split("<main", 1)[1]
    # by category: 3 attitude (50 %), 2 neighbour (83.3 % cumulative), 1 fees (100 %)
    table = html.split("pareto-table", 1)[1]
    assert re.search(r"服务态度</td><td class=\"num\">3</td><td class=\"num\">50.0%</td><td class=\"num\">50.0%", table)
    assert re.search(r"邻里纠纷</td><td class=\"num\">2</td><td class=\"num\">33.3%</td><td class=\"num\">83.3%", table)

    owner = world.user("jingli")
    bad = client.post("/console/complaints/improvements/", {"week": monday.isoformat(), "project": world.project1.pk,
                                                            "title": ""})
    assert bad.status_code == 422 and not ImprovementAction.objects.exists()
    added = client.post("/console/complaints/improvements/", {
        "week": monday.isoformat(), "project": world.project1.pk, "title": "客服礼仪培训",
        "category": complaint_category(world, "attitude").pk, "owner": owner.pk,
        "due_on": (monday + timedelta(days=10)).isoformat()})
    assert added.status_code == 302
    action = ImprovementAction.objects.get()
    assert action.week == monday and action.owner == owner and action.done_at is None
    html = html_of(client.get(added.url))
    assert "客服礼仪培训" in html and f"/console/complaints/improvements/{action.pk}/done/" in html
    assert client.post(f"/console/complaints/improvements/{action.pk}/done/").status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None
    # project 2 staff neither see nor complete it; engineering may look but not manage
    assert login("kefu2").post(f"/console/complaints/improvements/{action.pk}/done/").status_code == 404
    engineering = login("gongcheng")
    assert "improvement-form" not in html_of(engineering.get("/console/complaints/analysis/"))
    assert engineering.post("/console/complaints/improvements/", {
        "week": monday.isoformat(), "project": world.project1.pk, "title": "x"}).status_code == 403
    assert engineering.post(f"/console/complaints/improvements/{action.pk}/done/").status_code == 302
    assert ImprovementAction.objects.count() == 1


# -- the owner portal --------------------------------------------------------------------------------------------
def test_owner_sees_only_their_own_tickets(world, login):
    home = world.owner_unit("yezhu")
    mine = world.ticket(world.project1, unit=home, description="我家漏水")
    neighbour = world.ticket(world.project1, unit=Unit.objects.filter(project=world.project1).exclude(
        pk=home.pk).first(), description="邻居家的事")
    elsewhere = world.ticket(world.project2, description="别的小区")
    client = login("yezhu")
    html = html_of(client.get("/h5/tickets/"))
    assert "我家漏水" in html and "邻居家的事" not in html and "别的小区" not in html
    assert client.get(f"/h5/tickets/{mine.pk}/").status_code == 200
    assert client.get(f"/h5/tickets/{neighbour.pk}/").status_code == 404
    assert client.get(f"/h5/tickets/{elsewhere.pk}/").status_code == 404
    assert client.post(f"/h5/tickets/{neighbour.pk}/actions/cancel/", {"version": 0, "reason": "x"}).status_code == 404
    # the console's ticket link (in notifications) leads owners to their portal page
    response = client.get(f"/console/tickets/{mine.pk}/")
    assert response.status_code == 302 and response.url == f"/h5/tickets/{mine.pk}/"
    assert client.get("/console/tickets/").status_code == 302


def test_owner_reports_a_repair_with_a_photo_and_the_front_desk_sees_it(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    home = world.owner_unit("yezhu")
    client = login("yezhu")
    page = html_of(client.get("/h5/tickets/new/repair/"))
    assert home.label in page and 'type="file"' in page
    not_an_image = SimpleUploadedFile("leak.jpg", b"<html>not a picture</html>", content_type="image/jpeg")
    refused = client.post("/h5/tickets/new/repair/", {"unit": home.pk, "description": "卫生间漏水",
                                                      "photos": not_an_image})
    assert refused.status_code == 422 and not Ticket.objects.exists()
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    assert client.post("/h5/tickets/new/repair/", {"unit": home.pk, "description": "漏水",
                                                   "photos": big}).status_code == 422
    other_unit = Unit.objects.filter(project=world.project1).exclude(pk=home.pk).first()
    assert client.post("/h5/tickets/new/repair/", {"unit": other_unit.pk,
                                                   "description": "漏水"}).status_code == 422
    assert not Ticket.objects.exists()

    response = client.post("/h5/tickets/new/repair/", {
        "unit": home.pk, "description": "卫生间吊顶漏水", "contact_phone": "13812345678",
        "category": Category.objects.get(project=world.project1, code="leak").pk,
        "photos": [SimpleUploadedFile("a.png", PNG, content_type="image/png"),
                   SimpleUploadedFile("b.webp", WEBP)]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == f"/h5/tickets/{ticket.pk}/"
    assert ticket.channel == "portal" and ticket.reporter == world.user("yezhu") and ticket.unit == home
    photos = list(Photo.objects.filter(ticket=ticket).order_by("id"))
    assert [p.content_type for p in photos] == ["image/png", "image/webp"]
    assert not photos[0].image.name.endswith("a.png")
    photo_url = f"/h5/tickets/{ticket.pk}/photos/{photos[0].pk}/"
    assert client.get(photo_url)["Content-Type"] == "image/png"
    assert login("yezhu2").get(photo_url).status_code == 404
    assert login("kefu").get(f"/console/tickets/{ticket.pk}/photos/{photos[0].pk}/").status_code == 200
    assert login("kefu2").get(f"/console/tickets/{ticket.pk}/photos/{photos[0].pk}/").status_code == 404

    assert "卫生间吊顶漏水" in html_of(client.get(response.url))
    assert ticket.number in html_of(login("kefu").get("/console/tickets/"))


def test_owner_complains_suggests_and_praises(world, login):
    client = login("yezhu")
    home = world.owner_unit("yezhu")
    for kind, text in (("complaint", "垃圾清运不及时"), ("suggestion", "增加快递柜"), ("praise", "感谢保安帮忙")):
        response = client.post(f"/h5/tickets/new/{kind}/", {"unit": home.pk, "description": text})
        assert response.status_code == 302, html_of(response)
    assert set(Ticket.objects.values_list("kind", flat=True)) == {"complaint", "suggestion", "praise"}
    html = html_of(client.get("/h5/feedback/"))
    assert "垃圾清运不及时" in html and "增加快递柜" in html
    assert client.get("/h5/tickets/new/inquiry/").status_code == 404


def test_owner_cancels_while_new_and_signs_off_a_completed_repair(world, login):
    home = world.owner_unit("yezhu")
    client = login("yezhu")
    first = world.ticket(world.project1, unit=home, description="先报的")
    html = html_of(client.get(f"/h5/tickets/{first.pk}/"))
    assert f"/h5/tickets/{first.pk}/actions/cancel/" in html
    assert client.post(f"/h5/tickets/{first.pk}/actions/cancel/", {"version": 0, "reason": ""}).status_code == 422
    assert client.post(f"/h5/tickets/{first.pk}/actions/cancel/",
                       {"version": 0, "reason": "已自行修好"}).status_code == 302
    first.refresh_from_db()
    assert first.status == Status.CANCELLED

    repair = world.ticket(world.project1, unit=home, description="后报的")
    kefu, gongcheng = actor_for(world.user("kefu")), actor_for(world.user("gongcheng"))
    perform(kefu, repair, "dispatch", ActionInput(assignee=world.user("gongcheng")))
    for action in ("accept", "arrive"):
        perform(gongcheng, repair, action)
    html = html_of(client.get(f"/h5/tickets/{repair.pk}/"))
    assert "/actions/cancel/" not in html and "/actions/confirm/" not in html
    assert client.post(f"/h5/tickets/{repair.pk}/actions/cancel/",
                       {"version": repair.version + 3, "reason": "不修了"}).status_code in (403, 409)
    perform(gongcheng, repair, "complete", ActionInput(work_done="更换密封圈"))
    repair.refresh_from_db()
    html = html_of(client.get(f"/h5/tickets/{repair.pk}/"))
    assert "更换密封圈" in html and f"/h5/tickets/{repair.pk}/actions/confirm/" in html
    assert client.post(f"/h5/tickets/{repair.pk}/actions/confirm/", {"version": repair.version}).status_code == 302
    repair.refresh_from_db()
    assert repair.status == Status.CONFIRMED
    assert client.post(f"/h5/tickets/{repair.pk}/actions/dispatch/", {"version": repair.version}).status_code == 404
