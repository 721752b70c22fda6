import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """Accept only IANA time zone names that this machine's tz database knows."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known IANA time zone."), params={"value": value}, code="time_zone")
