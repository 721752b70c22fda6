"""Learners' wallets in admin: read-only, with an "Adjust balance" page (docs/operations.md, "Support:
adjusting a balance"). The page is thin: a form, one call to ``adjust_balance``, a message.

Who may: superusers, account administrators and staff holding ``gamification.adjust_balance``. Staff
without it — the Content editor group — get 403 on the wallets and on the adjust page.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.staff import is_account_admin, is_moderator

from .models import Wallet
from .services.adjustments import REASON_MAX_LENGTH, InvalidAdjustment, Kind, adjust_balance

ADJUST_PERMISSION = "gamification.adjust_balance"


def can_adjust(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and (is_account_admin(user) or user.has_perm(ADJUST_PERMISSION)))


class AdjustBalanceForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What"), choices=Kind.choices)
    amount = forms.IntegerField(
        label=gettext_lazy("Amount"),
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text=gettext_lazy("Positive to grant, negative to deduct. For a restored streak: its length in days."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Required; kept in the audit trail with your name, the time and the old and new values."
        ),
    )


WALLET_FIELDS: tuple[str, ...] = (
    "user",
    "xp_total",
    "gems",
    "hearts",
    "hearts_anchor_at",
    "streak_freezes",
    "updated_at",
    "adjust_link",
)


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    list_display = ["user", "xp_total", "gems", "hearts", "streak_freezes", "adjust_link"]
    search_fields = ["user__email", "user__display_name"]
    list_select_related = ["user"]
    fields = WALLET_FIELDS
    readonly_fields = WALLET_FIELDS

    @admin.display(description=gettext_lazy("adjust"))
    def adjust_link(self, obj: Wallet) -> str:
        return format_html(
            '<a href="{}">Adjust balance</a>', reverse("admin:gamification_wallet_adjust", args=[obj.pk])
        )

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        return shown if can_adjust(request) else [f for f in shown if f != "adjust_link"]

    # Totals change only through the services (the ledger), never by editing this page.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # Moderators see wallets (learner support: "where did my hearts go?"); adjusting is for can_adjust.
    def has_view_permission(self, request, obj=None) -> bool:
        return can_adjust(request) or is_moderator(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request) -> bool:
        return can_adjust(request) or is_moderator(request.user) or super().has_module_permission(request)

    def get_urls(self):
        view = self.admin_site.admin_view(self.adjust_view)
        return [path("<int:wallet_id>/adjust/", view, name="gamification_wallet_adjust"), *super().get_urls()]

    def adjust_view(self, request: HttpRequest, wallet_id: int) -> TemplateResponse | HttpResponseRedirect:
        if not can_adjust(request):
            raise PermissionDenied
        wallet = get_object_or_404(Wallet.objects.select_related("user"), pk=wallet_id)
        form = AdjustBalanceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                done = adjust_balance(user=wallet.user, now=timezone.now(), **form.cleaned_data)
            except InvalidAdjustment as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                label = dict(Kind.choices)[done.kind]
                messages.success(
                    request,
                    _("%(kind)s of %(user)s: %(before)s → %(after)s.")
                    % {"kind": label, "user": wallet.user, "before": done.before, "after": done.after},
                )
                return HttpResponseRedirect(reverse("admin:gamification_wallet_adjust", args=[wallet.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": Wallet._meta,
            "title": _("Adjust the balance of %(user)s") % {"user": wallet.user},
            "wallet": wallet,
            "streak": getattr(wallet.user, "streak", None),
            "form": form,
        }
        return TemplateResponse(
            request, "admin/gamification/wallet/adjust.html", context, status=400 if form.errors else 200
        )
