"""Reading and editing finished posts."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blogtube_site.query_params import whole_number
from jobs import markdown_bounds
from jobs.models import Post, PostVersion
from jobs.post_text import (
    FrontMatterError,
    PostTextError,
    body_word_count,
    parse_post,
    render_body,
    split_front_matter,
)

EDIT_TEMPLATE = "jobs/post_edit.html"


def _post(request: HttpRequest, slug: str) -> Post:
    posts = Post.objects.visible_to(request.user).select_related("job", "job__provider", "video")
    return get_object_or_404(posts, slug=slug)


@require_GET
def picture(request: HttpRequest, slug: str, name: str) -> FileResponse:
    """One of the post's pictures, for its pages; whoever may see the post may see them."""
    found = get_object_or_404(_post(request, slug).pictures, name=name)
    try:
        handle = found.path.open("rb")
    except OSError:
        raise Http404("The picture's file is gone.") from None
    response = FileResponse(handle, content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _front(markdown: str) -> dict:
    # A post saved by hand with odd YAML still has a reading view.
    try:
        return parse_post(markdown)[0]
    except FrontMatterError:
        return {}


def _words(markdown: str) -> int:
    try:
        body = parse_post(markdown)[1]
    except FrontMatterError:
        body = markdown
    return body_word_count(body)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    post = _post(request, slug)
    front = _front(post.markdown)
    versions = list(post.versions.all())
    for version in versions:
        version.words = _words(version.markdown)
    wanted = whole_number(request.GET.get("version", ""))
    shown: PostVersion | None = next((v for v in versions if v.pk == wanted), None)
    job = post.job
    context = {
        "post": post,
        "job": job,
        "versions": versions,
        "shown": shown,
        "shown_html": post.page_html(shown.html) if shown else "",
        "source_url": front.get("source_url") or (post.video.url if post.video else ""),
        "language": front.get("language") or job.language,
        "provider": job.provider.name,
        "model": front.get("model") or job.writer_model,
        "date": front.get("date") or post.created.date(),
    }
    return render(request, "jobs/post.html", context)


def _preview_context(markdown: str) -> dict:
    """What the preview pane shows: parsed front matter, rendered body, or what is wrong."""
    error = ""
    try:
        front, body = parse_post(markdown)
    except FrontMatterError as exc:
        error, front = str(exc), {}
        try:
            body = split_front_matter(markdown)[1]
        except FrontMatterError:
            body = ""  # unclosed front matter: nothing is known to be the body
    too_much = markdown_bounds.problem(body, _first_line(markdown, body))
    if len(body) > markdown_bounds.MAX_CHARS:
        body = ""  # not rendered: the error says why
    rendered = render_body(body)
    tags = front.get("tags")
    return {
        "preview": {
            "error": error or too_much,
            "title": str(front.get("title") or rendered.heading or ""),
            "description": str(front.get("description") or ""),
            "tags": tags if isinstance(tags, list) else [],
            "html": rendered.html,
            "words": rendered.word_count,
        }
    }


def _first_line(markdown: str, body: str) -> int:
    """The line of the editor where the body starts (the body ends the text)."""
    return markdown[: len(markdown) - len(body)].count("\n") + 1


def _editor(
    request: HttpRequest, post: Post, markdown: str, *, note: str = "", error: str = "", status=200
) -> HttpResponse:
    context = {"post": post, "markdown": markdown, "note": note, "error": error}
    context.update(_preview_context(markdown))
    return render(request, EDIT_TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    post = _post(request, slug)
    if request.method == "GET":
        return _editor(request, post, post.markdown)

    if "restore" in request.POST:
        return _restore(request, post)

    markdown = request.POST.get("markdown", "").replace("\r\n", "\n")
    note = request.POST.get("note", "").strip()
    if request.POST.get("action") == "preview":
        # The no-JavaScript way to see the preview: the same page, nothing saved.
        return _editor(request, post, markdown, note=note)
    if markdown.strip() == post.markdown.strip():
        messages.info(request, "Nothing changed, so nothing was saved.")
        return redirect("jobs:post", slug=post.slug)
    try:
        body = parse_post(markdown)[1]
        # Refused before it is rendered: rendering it is what takes too long.
        too_much = markdown_bounds.problem(body, _first_line(markdown, body))
        if too_much:
            raise PostTextError(too_much)
        post.edit(markdown, note=note)
    except PostTextError as exc:
        return _editor(request, post, markdown, note=note, error=str(exc), status=400)
    messages.success(request, "Saved. The previous text is kept under “Earlier versions”.")
    return redirect("jobs:post", slug=post.slug)


def _restore(request: HttpRequest, post: Post) -> HttpResponse:
    version = get_object_or_404(
        PostVersion, pk=whole_number(request.POST.get("restore", "")) or 0, post=post
    )
    when = formats.date_format(timezone.localtime(version.created), "j M Y, H:i")
    try:
        # Through edit(): the text being replaced becomes a version in turn.
        post.edit(version.markdown, note=f"Restored the version replaced on {when}")
    except PostTextError as exc:
        messages.error(request, f"That version cannot be restored: {exc}")
        return redirect("jobs:post", slug=post.slug)
    messages.success(
        request, f"Restored the version replaced on {when}. The text it replaced is kept."
    )
    return redirect("jobs:post", slug=post.slug)


@require_POST
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    post = _post(request, slug)
    markdown = request.POST.get("markdown", "")
    context = {"post": post, **_preview_context(markdown)}
    return render(request, f"{EDIT_TEMPLATE}#preview", context)
