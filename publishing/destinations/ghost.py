"""Ghost through its Admin API, signed in with a custom integration's Admin API key
(``id:secret``): each request carries a five-minute HS256 JWT made from it."""

from __future__ import annotations

import time
from typing import Any

import jwt

from publishing.destinations.base import Article, DestinationKind, Picture, Progress, Remote
from publishing.errors import NotThatSite, RemotePostGone

API = "/ghost/api/admin"


class Ghost(DestinationKind):
    slug = "ghost"
    label = "Ghost"
    secret_label = "Admin API key"
    secret_help = "Settings → Integrations → Add custom integration on your site; id:secret."

    @classmethod
    def check_secret(cls, secret: str) -> str:
        key = secret.strip()
        key_id, _, hex_secret = key.partition(":")
        try:
            bytes.fromhex(hex_secret)
        except ValueError:
            hex_secret = ""
        if not key_id or not hex_secret:
            raise ValueError(
                "An Admin API key looks like 64f1…:8a9c… (an id, a colon and a hexadecimal secret)."
            )
        return key

    def token(self) -> str:
        key_id, _, hex_secret = self.secret.partition(":")
        now = int(time.time())
        return jwt.encode(
            {"iat": now, "exp": now + 5 * 60, "aud": "/admin/"},
            bytes.fromhex(hex_secret),
            algorithm="HS256",
            headers={"kid": key_id},
        )

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Ghost {self.token()}", "Accept-Version": "v5.0"}
        headers.update(kwargs.pop("headers", {}))
        return self.request(method, f"{API}{path}", headers=headers, **kwargs)

    def check(self) -> str:
        site = self.request("GET", f"{API}/site/", headers={"Accept-Version": "v5.0"})
        data = site.json() if site.ok and "json" in site.headers.get("Content-Type", "") else None
        if not isinstance(data, dict) or not isinstance(data.get("site"), dict):
            raise NotThatSite(
                f"{self.site_url} does not answer as a Ghost site (no Admin API at {API}/).",
                suggestions=[
                    "Check the address: it is the site's own, e.g. https://blog.example.com"
                ],
            )
        answer = self.call("GET", "/posts/", params={"limit": 1, "fields": "id"})
        if not answer.ok:
            raise self.refused(answer, "the sign-in", _message(answer))
        site = data["site"]
        return (
            f"Signed in to {site.get('title') or self.site_url} (Ghost {site.get('version', '')})."
        )

    def publish(
        self, article: Article, *, published: bool, previous: Remote | None, progress: Progress
    ) -> Remote:
        remote = Remote(media=dict(previous.media) if previous else {})
        urls: dict[str, str] = {}
        uploads = [p for p in (article.cover, *article.pictures) if p is not None]
        feature_image = ""
        for n, picture in enumerate(uploads, 1):
            progress(10 + 50 * n // max(1, len(uploads)), f"Uploading {picture.filename} to Ghost")
            url = self._upload(picture, remote)
            if not url:
                continue
            urls[picture.ref] = url
            if picture is article.cover:
                feature_image = url
        if not feature_image and article.cover is not None and article.cover.path is None:
            # No file yet, but an address on the web (the video's thumbnail): Ghost takes it.
            feature_image = article.cover.url
        article = article.with_pictures_at(urls)
        post: dict[str, Any] = {
            "title": article.title,
            "html": article.html,
            "status": "published" if published else "draft",
            "tags": [{"name": tag} for tag in article.tags],
            "custom_excerpt": article.description[:300],
        }
        if feature_image:
            post["feature_image"] = feature_image
            if article.cover and article.cover.alt:
                post["feature_image_alt"] = article.cover.alt[:191]
        answer = None
        if previous and previous.remote_id:
            progress(80, "Updating the post")
            try:
                post["updated_at"] = self._updated_at(previous.remote_id)
                answer = self.call(
                    "PUT",
                    f"/posts/{previous.remote_id}/",
                    params={"source": "html"},
                    json={"posts": [post]},
                )
            except RemotePostGone:
                remote.notes.append(
                    "The post published earlier is gone from the site: made a new one."
                )
                post.pop("updated_at", None)
        if answer is None:
            progress(80, "Creating the post")
            post["slug"] = article.slug
            answer = self.call("POST", "/posts/", params={"source": "html"}, json={"posts": [post]})
        data = self.json_of(answer, "the post")
        posts = data.get("posts") if isinstance(data, dict) else None
        if not answer.ok or not posts:
            raise self.refused(answer, "the post", _message(answer))
        remote.remote_id = str(posts[0]["id"])
        remote.url = str(posts[0].get("url") or "")
        remote.status = str(posts[0].get("status") or post["status"])
        return remote

    def _updated_at(self, remote_id: str) -> str:
        # Ghost refuses an edit without the post's current updated_at (collision detection).
        answer = self.call("GET", f"/posts/{remote_id}/", params={"fields": "id,updated_at"})
        if answer.status_code == 404:
            raise RemotePostGone()
        data = self.json_of(answer, "the post")
        if not answer.ok or not isinstance(data, dict) or not data.get("posts"):
            raise self.refused(answer, "reading the post", _message(answer))
        return str(data["posts"][0]["updated_at"])

    def _upload(self, picture: Picture, remote: Remote) -> str:
        digest = picture.digest()
        if digest in remote.media:
            return str(remote.media[digest]["url"])
        data = picture.read()
        if data is None:
            remote.notes.append(f"{picture.filename}: no file to upload, left out.")
            return ""
        answer = self.call(
            "POST",
            "/images/upload/",
            files={"file": (picture.filename, data, picture.content_type)},
            data={"purpose": "image", "ref": picture.filename},
        )
        body = self.json_of(answer, "the upload")
        images = body.get("images") if isinstance(body, dict) else None
        if not answer.ok or not images:
            raise self.refused(answer, f"the picture {picture.filename}", _message(answer))
        remote.media[digest] = {"url": str(images[0]["url"])}
        return str(images[0]["url"])


def _message(response: Any) -> str:
    try:
        errors = response.json().get("errors") or []
        return "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict))
    except (ValueError, AttributeError):
        return response.text[:300]
