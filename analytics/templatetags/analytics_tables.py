from django import template

from ..selectors import Row
from ..tables import Column

register = template.Library()


@register.filter
def display(column: Column, row: Row) -> str:
    """A table cell as shown on the page (``{{ column|display:row }}``)."""
    return column.display(row)
