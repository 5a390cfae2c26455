from django import template

from ..registry import tabs_for

register = template.Library()


@register.inclusion_tag("billing/_tabs.html", takes_context=True)
def billing_tabs(context):
    """The billing console's tabs the user may see: `{% load billing %}{% billing_tabs %}`."""
    request = context["request"]
    name = request.resolver_match.view_name if request.resolver_match else ""
    return {"tabs": tabs_for(request.actor, name)}


@register.filter
def standing(balance) -> str:
    """A balance as people say it, never negative: `{{ balance|standing }}` → 欠费 ¥1,280.00 / 预存 ¥120.00 / 已结清."""
    from ..services import balance_text

    return balance_text(balance)
