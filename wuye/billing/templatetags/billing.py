from django import template

from ..registry import tabs_for

register = template.Library()


@register.inclusion_tag("billing/_tabs.html", takes_context=True)
def billing_tabs(context):
    """The billing console's tabs the user may see: `{% load billing %}{% billing_tabs %}`."""
    request = context["request"]
    name = request.resolver_match.view_name if request.resolver_match else ""
    return {"tabs": tabs_for(request.actor, name)}
