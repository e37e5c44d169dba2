"""History in numbers, drawn on the server as SVG."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jobs import stats as job_stats


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    days = job_stats.parse_days(request.GET.get("days"))
    context = {"s": job_stats.job_stats(days, user=request.user), "ranges": job_stats.RANGES}
    template = "jobs/stats.html#stats-body" if request.htmx else "jobs/stats.html"
    return render(request, template, context)
