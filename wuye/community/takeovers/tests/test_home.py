"""The community home: every staff login sees the sections it may read (and no other), each linking its list; the
figures count what the list they open shows; owners are sent to their portal."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from wuye.community.home import SECTIONS
from wuye.core.access import may_read
from wuye.people.access import actor_for

STAFF = ("admin", "kefu", "kefu2", "gongcheng", "zhixu", "huanjing", "caiwu", "jingli", "pinzhi")


@pytest.mark.parametrize("username", STAFF)
def test_each_staff_login_sees_only_the_sections_it_may_read(world, login, username):
    response = login(username).get(reverse("community:home"))
    assert response.status_code == 200
    page = response.content.decode()
    actor = actor_for(world.user(username))
    for key, section in SECTIONS.items():
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:  # a section whose page is not there yet is not shown
            assert f'id="section-{key}"' not in page
            continue
        shown = f'id="section-{key}"' in page
        assert shown == may_read(actor, section.resource), (username, key)
        if shown:
            assert url in page


def test_takeover_section_and_its_figure(world, login):
    from wuye.community.takeovers import services

    actor = actor_for(world.user("gongcheng"))
    takeover = services.create_takeover(actor, project=world.project1, title="一期", developer="华景置业",
                                        planned_on="2026-09-22")
    services.start_inspection(actor, takeover)
    services.record_check(actor, takeover.checks.first(), result="finding", note="外墙裂缝")
    page = login("gongcheng").get(reverse("community:home")).content.decode()
    assert 'id="section-takeovers"' in page and reverse("takeovers:list") in page
    assert 'data-section="takeovers"' in page and '<span class="cm-figure">1</span>' in page
    page = login("kefu2").get(reverse("community:home")).content.decode()
    assert '<span class="cm-figure">1</span>' not in page  # project 2 staff: nothing of project 1
    page = login("caiwu").get(reverse("community:home")).content.decode()
    assert 'id="section-takeovers"' not in page


@pytest.mark.parametrize("username", ("yezhu", "yezhu2"))
def test_owners_are_sent_to_their_portal(world, login, username):
    response = login(username).get(reverse("community:home"))
    assert response.status_code == 302 and response["Location"] == reverse("web:h5_home")


def test_anonymous_visitors_log_in(world, client):
    response = client.get(reverse("community:home"))
    assert response.status_code == 302 and "login" in response["Location"]
