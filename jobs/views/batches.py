"""Batches: the jobs made from one playlist or channel, and their progress as one."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from jobs.models import Batch


@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(Batch.objects.visible_to(request.user), 25).get_page(request.GET.get("page"))
    page.object_list = Batch.with_totals(page.object_list)
    return render(request, "jobs/batch_list.html", {"page": page})


@require_GET
def batch_detail(request: HttpRequest, batch_id: str) -> HttpResponse:
    batch = get_object_or_404(Batch.objects.visible_to(request.user), pk=batch_id)
    jobs = batch.jobs.not_deleted().for_rows().order_by("created")
    context = {"batch": batch, "jobs": jobs}
    if not request.htmx:
        return render(request, "jobs/batch.html", context)
    # The table refetches itself (new jobs, or polling while the socket is
    # down); the progress above it rides along out of band.
    html = render_to_string("jobs/batch.html#batch-jobs", context, request)
    html += render_to_string("jobs/batch.html#batch-summary", {**context, "oob": True}, request)
    return HttpResponse(html)
