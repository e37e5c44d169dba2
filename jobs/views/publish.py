"""Publishing a job's post: to a destination through the worker, or as a static-site zip."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from jobs import services
from jobs.articles import article_for
from jobs.models import InvalidTransition, Job
from publishing import services as publishing


@require_POST
def publish(request: HttpRequest, job_id: str) -> HttpResponse:
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=job_id)
    destination = publishing.find_destination(request.user, request.POST.get("destination", ""))
    published = request.POST.get("status") == "publish"
    if destination is None:
        messages.error(request, "Choose one of your destinations.")
    elif not destination.is_remote:
        url = reverse("jobs:export", args=[job.pk, destination.pk])
        return redirect(f"{url}?status=publish" if published else url)
    else:
        try:
            services.publish(job, destination, published=published)
        except InvalidTransition as error:
            messages.error(request, str(error))
        else:
            how = "published" if published else "a draft"
            messages.success(request, f"Sending the post to {destination.name} as {how}…")
    if request.htmx:
        return HttpResponseClientRedirect(job.get_absolute_url())
    return redirect(job)


@require_GET
def export(request: HttpRequest, job_id: str, destination_id: int) -> HttpResponse:
    """The post laid out for a static site, as a zip; ?status=publish: not a draft."""
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=job_id)
    post = job.post_or_none
    # A layout and no credentials: staff may export with anyone's, as they see every job.
    destination = publishing.destinations_for(request.user).filter(pk=destination_id).first()
    if post is None or destination is None or destination.is_remote:
        raise Http404("No such post or static-site destination.")
    name, data = publishing.export(
        destination, article_for(post), published=request.GET.get("status") == "publish"
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
