"""The desk's "service orders to accept" card and the community home's figures count the rows their links open;
the portal tiles lead to the pages."""

import re

from django.utils import timezone

from wuye.community.activities.workbench import activity_cards
from wuye.community.catalogue import services
from wuye.community.catalogue.models import ServiceItem
from wuye.community.catalogue.workbench import order_cards
from wuye.community.home import sections_for
from wuye.people.access import actor_for
from wuye.workorders.catalogue import install_default_catalogue as install_price_list


def _rows_on(page) -> int:
    return len(re.findall(r'/console/community/catalogue/orders/\d+/accept', page.content.decode()))


def test_desk_card_counts_the_list_it_opens(world, login):
    install_price_list(world.project1)
    services.install_default_catalogue(world.project1)
    owner = actor_for(world.user("yezhu"))
    unit = world.owner_unit("yezhu")
    lamp = ServiceItem.objects.get(project=world.project1, code="lamp")
    first = services.place_order(owner, item=lamp, unit=unit)
    services.place_order(owner, item=lamp, unit=unit, quantity=3)
    services.accept(actor_for(world.user("kefu")), first)
    now = timezone.now()
    [card] = order_cards(actor_for(world.user("kefu")), now)
    assert card.count == 1
    assert _rows_on(login("kefu").get(card.url)) == 1
    assert order_cards(actor_for(world.user("kefu2")), now)[0].count == 0
    assert order_cards(actor_for(world.user("gongcheng")), now) == []
    home = {section["key"]: section for section in sections_for(actor_for(world.user("kefu")))}
    assert home["catalogue"]["figure"]["count"] == 1 and home["catalogue"]["figure"]["url"] == card.url
    assert "activities" in home
    assert activity_cards(actor_for(world.user("kefu")), now)[0].count == 0


def test_portal_tiles_lead_to_the_pages(world, login):
    page = login("yezhu").get("/h5/").content.decode()
    assert "/h5/services/" in page and "/h5/activities/" in page
