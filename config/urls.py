from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .favicon import favicon
from .health import healthz

# The admin's branding, on every admin page (the apps' own admin pages extend admin/base_site.html).
admin.site.site_header = _("Mallard administration")
admin.site.site_title = _("Mallard admin")
admin.site.index_title = _("Site administration")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),  # JSON API v1, schema and docs (docs/api.md)
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the visitors' language switcher (docs/i18n.md)
    path("", include("media_assets.urls")),  # /media/a/<sha256>.<format>: media with range requests
    path("", include("progress.urls")),  # home, enrolment and the path
    path("", include("gamification.urls")),  # the lesson player, profile and hearts
    path("", include("accounts.urls")),  # settings
    path("", include("tutor.urls")),  # Ask Tutor: chats about a lesson
    path("", include("bubbles.urls")),  # generated practice (hidden without a language model)
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
