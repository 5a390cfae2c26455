import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from wuye.core import sentences
from wuye.core.events import record_event
from wuye.core.templatetags.timeline import register_event_labels
from wuye.tenancy.models import Company, Project


def _render(source: str, **context) -> str:
    return Template("{% load timeline %}" + source).render(Context(context))


@pytest.mark.django_db
def test_timeline_tag_shows_events_with_names_and_readable_details():
    company = Company.objects.create(name="测试物业")
    project = Project.objects.create(company=company, code="t", name="测试小区")
    user = get_user_model().objects.create_user("clerk", first_name="陈静")
    record_event(project, "project.created", actor=user, data={"code": "t", "name": "测试小区"})
    record_event(project, "resident.registered", data={"relation": "tenant", "id_number": "", "vehicles": ["沪A12345"]})
    record_event(project, "something.new", data={"flag": True})
    with translation.override("zh-hans"):
        html = _render("{% timeline project %}", project=project)
        newest_first = _render("{% timeline project newest_first=True %}", project=project)
    assert html.count('class="timeline-item"') == 3
    assert "新建项目" in html and "陈静" in html and "系统" in html  # a job's event has no actor
    assert "租户" in html and "沪A12345" in html and "身份证号" not in html  # codes named, empty values left out
    assert "something.new" not in html and "记录了一项变更" in html  # an unnamed verb never shows its code
    assert html.index("新建项目") < html.index("记录了一项变更")
    assert newest_first.index("新建项目") > newest_first.index("记录了一项变更")


@pytest.mark.django_db
def test_apps_register_their_own_labels(monkeypatch):
    for registry in ("SENTENCES", "DETAIL_LABELS", "VALUE_LABELS"):  # leave the real registries untouched
        monkeypatch.setattr(sentences, registry, dict(getattr(sentences, registry)))
    company = Company.objects.create(name="测试物业")
    record_event(company, "test.closed", data={"test_priority": "p1"})
    record_event(company, "test.opened", data={"test_priority": "p1", "secret_id": "S-XYZ-9"})
    register_event_labels(verbs={"test.closed": "Test closed"}, details={"test_priority": "Priority"},
                          values={"test_priority": {"p1": "Urgent"}})  # the older way: a label only
    sentences.register_sentence("test.opened", "Opened as %(test_priority)s", details=("test_priority",))
    html = _render("{% timeline company %}", company=company)
    assert "Test closed" in html and "Opened as Urgent" in html and "Priority" in html
    assert "S-XYZ-9" not in html  # only the keys a sentence names are printed


@pytest.mark.django_db
def test_timeline_of_a_record_without_events():
    company = Company.objects.create(name="空白物业")
    with translation.override("zh-hans"):
        assert "暂无记录" in _render("{% timeline company %}", company=company)


def test_error_pages_render_without_a_request():
    with translation.override("zh-hans"):
        assert "物业服务平台" in render_to_string("500.html") and "出错了" in render_to_string("500.html")
        assert "页面不存在" in render_to_string("404.html")
        assert "无权访问" in render_to_string("403.html")
