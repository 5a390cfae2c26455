"""`{{ value|yuan }}`: money as a person reads it (¥440,932.92, -¥12.00, None → —).

    {% load money %}
    {{ bill.amount|yuan }}
"""

from django import template

from wuye.core.money import format_money

register = template.Library()


@register.filter
def yuan(value) -> str:
    return format_money(value)
