from django.shortcuts import render

from . import selectors


def home(request):
    return render(request, "courses/home.html", {"courses": selectors.published_courses()})
