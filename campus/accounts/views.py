"""Account pages: register, log in/out, password reset, profile, language switch.

Thin like api.py: forms parse, services decide, campus.core.views maps errors.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from campus.accounts import services
from campus.accounts.forms import LoginForm, ProfileForm, RegisterForm
from campus.accounts.models import Language
from campus.core.errors import NotAuthenticated, RateLimited
from campus.core.views import add_form_errors, current_user, form_call, form_status, page, safe_next


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@page
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = form_call(
            form,
            services.user_register,
            field_map={"password": "password1", "email_taken": "email"},
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            language=translation.get_language() or Language.FR,
            request=request,
        )
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Bienvenue sur Campus ! Votre compte est créé."))
            return redirect(settings.LOGIN_REDIRECT_URL)
    status = form_status(form) if form.is_bound else 200
    return render(request, "accounts/register.html", {"form": form}, status=status)


@page
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = services.login_check(
                    request=request,
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                )
            except (NotAuthenticated, RateLimited) as exc:
                add_form_errors(form, exc)
                status = 429 if isinstance(exc, RateLimited) else 400
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(safe_next(request, settings.LOGIN_REDIRECT_URL))
    context = {"form": form, "next": safe_next(request, "")}
    return render(request, "accounts/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("Vous êtes déconnecté."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@page
def profile(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": user.timezone,
        "language": user.language,
        "data_saver": user.data_saver,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        updated = form_call(form, services.profile_update, actor=user, **form.cleaned_data)
        if updated is not None:
            translation.activate(updated.language)
            messages.success(request, _("Profil enregistré."))
            response = redirect("accounts:profile")
            _set_language_cookie(response, updated.language)
            return response
    status = form_status(form) if form.is_bound else 200
    return render(
        request, "accounts/profile.html", {"form": form, "profile_user": user}, status=status
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie + redirect), and for a logged-in user the saved
    preference too: pages follow the profile's language, so the switch must change it."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in Language.values:
        services.profile_update(actor=current_user(request), language=language)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an address; the service queues the email (throttled, never says whether
    the address has an account)."""

    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            services.password_reset_request(request=self.request, email=form.cleaned_data["email"])
        except RateLimited as exc:
            add_form_errors(form, exc)
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
