"""The standards library and service packages: the shipped window-service items word for word, revising keeps
the versions inspections used, who may write, and a service level changes the project's time limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.quality import standards as library
from wuye.quality.models import ServicePackage, Standard, StandardItem, StandardVersion

pytestmark = pytest.mark.django_db


def _actor(world, username):
    return actor_for(world.user(username))


def _categories(*texts, points="10"):
    return [{"name": "人行出入口", "items": [{"text": text, "points": points} for text in texts]}]


def test_the_window_service_standard_is_shipped_word_for_word(world):
    installed = library.install_shipped_standards(world.company)
    assert [standard.code for standard in installed] == ["window-service", "daily-residential", "year-end-review"]
    window = Standard.objects.get(company=world.company, code="window-service")
    version = library.current_version(window)
    assert version.number == 1
    assert [(c.number, c.name) for c in version.categories.order_by("number")] == [
        (1, "人行出入口"), (2, "车行出入口"), (3, "道路、广场")]
    items = {item.number: item for item in version.items.select_related("category")}
    assert sorted(items) == list(range(1, 23))
    assert items[1].text == "安全员服装整洁、发不过耳、面容清洁、仪容端正。"
    assert items[2].text == ("安全员对客户亲切友好:对进出客户主动点头示意、微笑或问好。"
                             "如遇客户询问或需主动与其交涉须主动敬礼,并使用文明礼貌用语,双手接递物品。")
    assert items[12].text == "收费主动提供票据(票据平整干净),客户不要的发票投入废票箱。"
    assert items[22].text == ("路遇客户表现得亲切有礼,放慢脚步(单车巡逻岗放慢车速或停车)让路,"
                              "和客户有眼光接触时应点头微笑示意或问好。")
    assert [items[n].category.number for n in (9, 10, 19, 20)] == [1, 2, 2, 3]
    assert sum(item.points for item in items.values()) == Decimal("100")


def test_the_daily_sheet_has_departments_and_critical_fire_items(world):
    library.install_shipped_standards(world.company)
    daily = library.current_version(Standard.objects.get(company=world.company, code="daily-residential"))
    assert daily.categories.count() == 6
    assert daily.items.count() == 25
    critical = list(daily.items.filter(critical=True).order_by("number").values_list("text", "department"))
    assert critical == [("消防通道畅通，无车辆、杂物堵塞占用。", "security"),
                        ("消防设施器材齐全完好，灭火器、消火栓无缺失、无过期。", "engineering")]
    assert set(daily.items.values_list("department", flat=True)) == {
        "security", "environment", "engineering", "customer_service"}
    year_end = Standard.objects.get(company=world.company, code="year-end-review")
    assert year_end.purpose == "year_end"
    assert library.version_totals(library.current_version(year_end))["points"] == Decimal("100")


def test_installing_again_changes_nothing(world):
    library.install_shipped_standards(world.company)
    library.install_shipped_standards(world.company)
    assert Standard.objects.filter(company=world.company).count() == 3
    assert StandardVersion.objects.filter(standard__company=world.company).count() == 3
    assert ServicePackage.objects.filter(company=world.company).count() == 3
    assert Event.objects.filter(verb="standard.created").count() == 3


def test_revising_writes_a_new_version_and_keeps_the_old_one(world):
    pinzhi = _actor(world, "pinzhi")
    standard = library.create_standard(pinzhi, world.company, code="lobby", name="大堂检查",
                                       categories=_categories("地面干净", "灯光正常"))
    first = library.current_version(standard)
    first_items = list(first.items.values_list("pk", "number", "text", "points"))
    second = library.revise_standard(pinzhi, standard, note="加一项",
                                     categories=_categories("地面干净无积水", "灯光正常", "前台有人值守", points="5"))
    assert (first.number, second.number) == (1, 2)
    assert library.current_version(standard) == second
    assert list(first.items.values_list("pk", "number", "text", "points")) == first_items  # untouched
    assert list(second.items.order_by("number").values_list("number", "text", "points")) == [
        (1, "地面干净无积水", Decimal("5.00")), (2, "灯光正常", Decimal("5.00")), (3, "前台有人值守", Decimal("5.00"))]
    assert library.version_of(standard, 1).categories.get().items.count() == 2
    revised = Event.objects.get(verb="standard.revised")
    assert revised.data == {"version": 2, "items": 3, "note": "加一项"}
    assert revised.actor == world.user("pinzhi")


def test_a_bad_item_is_named_and_nothing_is_written(world):
    pinzhi = _actor(world, "pinzhi")
    categories = [{"name": "车行出入口", "items": [{"text": "道闸正常", "points": "5"},
                                                 {"text": "", "points": "5"},
                                                 {"text": "路面无积水", "points": "-1"}]}]
    with pytest.raises(InvalidInput) as raised:
        library.create_standard(pinzhi, world.company, code="gate", name="车行出入口检查", categories=categories)
    assert [problem.field for problem in raised.value.problems] == [
        "categories[0].items[1].text", "categories[0].items[2].points"]
    assert not Standard.objects.filter(code="gate").exists()
    assert not StandardItem.objects.exists()


def test_only_the_quality_department_writes_and_staff_of_the_company_read(world):
    library.install_shipped_standards(world.company)
    kefu = _actor(world, "kefu")
    with pytest.raises(NotAllowed):
        library.create_standard(kefu, world.company, code="x", name="x", categories=_categories("a"))
    window = Standard.objects.get(code="window-service")
    with pytest.raises(NotAllowed):
        library.revise_standard(kefu, window, categories=_categories("a"))
    assert library.visible_standards(kefu).count() == 3
    assert library.visible_standards(_actor(world, "kefu2")).count() == 3  # one company: the same library
    assert library.visible_standards(_actor(world, "yezhu")).count() == 0
    with pytest.raises(Http404):
        library.visible_standard_or_404(_actor(world, "yezhu"), window.pk)


def test_a_service_level_changes_the_projects_time_limits(world):
    from wuye.sla.models import ProjectStandard

    library.install_shipped_standards(world.company)
    pinzhi = _actor(world, "pinzhi")
    package = library.assign_package(pinzhi, world.project1, "level_1")
    world.project1.refresh_from_db()
    assert world.project1.service_level == "level_1"
    assert package.sla_standard.code == "five-star"
    assert ProjectStandard.objects.get(project=world.project1).standard.code == "five-star"
    assert library.package_for(world.project1) == package
    assert sorted(package.standards.values_list("code", flat=True)) == [
        "daily-residential", "window-service", "year-end-review"]
    library.assign_package(pinzhi, world.project1, "level_2")
    assert ProjectStandard.objects.get(project=world.project1).standard.code == "spec-default"
    assert list(Event.objects.filter(verb="service_package.assigned").values_list("data__level", flat=True)
                .order_by("id")) == ["level_1", "level_2"]
    with pytest.raises(NotAllowed):
        library.assign_package(_actor(world, "jingli"), world.project1, "level_1")
    with pytest.raises(InvalidInput):
        library.assign_package(pinzhi, world.project1, "level_9")


def test_the_demo_puts_the_two_projects_on_level_one_and_two(world):
    from datetime import date

    from wuye.demo.quality_standards import add_demo_standards
    from wuye.sla.models import ProjectStandard

    counts = add_demo_standards(world.company, date(2026, 12, 1))
    assert counts == {"standards": 3, "versions": 3, "items": 56, "packages": 3, "levels_assigned": 2}
    assert ProjectStandard.objects.get(project=world.project1).standard.code == "five-star"
    assert ProjectStandard.objects.get(project=world.project2).standard.code == "spec-default"
    world.project2.refresh_from_db()
    assert library.package_for(world.project2).name == "二级服务包"
    assert add_demo_standards(world.company, date(2026, 12, 1))["levels_assigned"] == 0
