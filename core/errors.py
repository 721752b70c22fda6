"""The base of every error a service raises on purpose, and ``NotFound``.

Each app declares its own subclasses next to the services that raise them (``progress/errors.py``,
``gamification/errors.py``). The API maps them to responses in one place
(``core.api.errors.api_exception_handler``): ``status`` is the HTTP
status to use, ``code`` a stable machine-readable name, ``field`` the input field at fault (if
any). Someone else's run, lesson or course is always ``NotFound`` (404), never 403, so ids do not
leak.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    code: str = "error"
    status: int = 400
    #: a plain or a lazily translated sentence (``gettext_lazy``)
    default_message: str | Promise = _("The request could not be completed.")

    def __init__(self, message: str | Promise | None = None, *, field: str | None = None):
        self.message: str = str(message or self.default_message)  # a lazy sentence in the language now active
        self.field = field
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(ServiceError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")
