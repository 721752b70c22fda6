"""Page-number pagination that refuses what the schema does not allow (a repeated or non-numeric ``page``)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class StrictPageNumberPagination(PageNumberPagination):
    def get_page_number(self, request, paginator):
        values = request.query_params.getlist(self.page_query_param)
        if len(values) > 1 or (values and not values[0].isascii()) or (values and not values[0].isdigit()):
            raise NotFound(_("Invalid page."))
        return super().get_page_number(request, paginator)
