"""WordPress through its REST API (/wp-json/wp/v2/), signed in with an application password
(Users → Profile → Application Passwords) as HTTP basic auth."""

from __future__ import annotations

from typing import Any

from publishing.destinations.base import Article, DestinationKind, Picture, Progress, Remote
from publishing.errors import MissingPermission, NotThatSite

API = "/wp-json/wp/v2"


class WordPress(DestinationKind):
    slug = "wordpress"
    label = "WordPress"
    needs_username = True
    username_label = "WordPress user name"
    secret_label = "Application password"
    secret_help = "Users → Profile → Application Passwords on your site: not your login password."

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        kwargs.setdefault("auth", (self.username, self.secret))
        return self.request(method, f"{API}{path}", **kwargs)

    def check(self) -> str:
        index = self.request("GET", "/wp-json/")
        try:
            data = index.json() if index.ok else None
        except ValueError:
            data = None
        if not isinstance(data, dict) or "wp/v2" not in (data.get("namespaces") or []):
            raise NotThatSite(
                f"{self.site_url} does not answer as a WordPress site (no REST API at /wp-json/).",
                suggestions=[
                    "Check the address: it is the site's home page, e.g. https://blog.example.com"
                ],
            )
        me = self.call("GET", "/users/me", params={"context": "edit"})
        user = self.json_of(me, "who am I")
        if not me.ok or not isinstance(user, dict):
            raise self.refused(me, "the sign-in")
        capabilities = user.get("capabilities") or {}
        missing = [c for c in ("publish_posts", "upload_files") if not capabilities.get(c)]
        if missing:
            cannot = " or ".join(_CAN[c] for c in missing)
            raise MissingPermission(
                f"{user.get('name') or self.username} may not {cannot} on this site.",
                suggestions=["Use an Author, Editor or Administrator account"],
            )
        who = user.get("name") or self.username
        return f"Signed in to {data.get('name') or self.site_url} as {who}."

    def publish(
        self, article: Article, *, published: bool, previous: Remote | None, progress: Progress
    ) -> Remote:
        remote = Remote(media=dict(previous.media) if previous else {})
        urls: dict[str, str] = {}
        featured = None
        uploads = [p for p in (article.cover, *article.pictures) if p is not None]
        for n, picture in enumerate(uploads, 1):
            progress(
                10 + 50 * n // max(1, len(uploads)),
                f"Uploading {picture.filename} to the media library",
            )
            media = self._upload(picture, remote)
            if media is None:
                continue
            urls[picture.ref] = media["url"]
            if picture is article.cover:
                featured = media["id"]
        progress(65, "Matching tags")
        tag_ids = [self._tag_id(tag) for tag in article.tags]
        article = article.with_pictures_at(urls)
        body: dict[str, Any] = {
            "title": article.title,
            "content": article.html,
            "excerpt": article.description,
            "status": "publish" if published else "draft",
            "tags": tag_ids,
        }
        if featured is not None:
            body["featured_media"] = featured
        if not previous or not previous.remote_id:
            body["slug"] = article.slug
        progress(
            80, "Updating the post" if previous and previous.remote_id else "Creating the post"
        )
        answer = None
        if previous and previous.remote_id:
            answer = self.call("POST", f"/posts/{previous.remote_id}", json=body)
            if answer.status_code in (404, 410):
                remote.notes.append(
                    "The post published earlier is gone from the site: made a new one."
                )
                answer = None
        if answer is None:
            body["slug"] = article.slug
            answer = self.call("POST", "/posts", json=body)
        post = self.json_of(answer, "the post")
        if not answer.ok or not isinstance(post, dict) or "id" not in post:
            raise self.refused(
                answer, "the post", post.get("message", "") if isinstance(post, dict) else ""
            )
        remote.remote_id = str(post["id"])
        remote.url = str(post.get("link") or "")
        remote.status = str(post.get("status") or body["status"])
        return remote

    def _upload(self, picture: Picture, remote: Remote) -> dict[str, Any] | None:
        digest = picture.digest()
        if digest in remote.media:
            return remote.media[digest]
        data = picture.read()
        if data is None:
            remote.notes.append(f"{picture.filename}: no file to upload, left out.")
            return None
        answer = self.call(
            "POST",
            "/media",
            data=data,
            headers={
                "Content-Type": picture.content_type,
                "Content-Disposition": f'attachment; filename="{picture.filename}"',
            },
        )
        media = self.json_of(answer, "the upload")
        if not answer.ok or not isinstance(media, dict) or "id" not in media:
            raise self.refused(answer, f"the picture {picture.filename}")
        if picture.alt:
            self.call("POST", f"/media/{media['id']}", json={"alt_text": picture.alt})
        stored = {"id": media["id"], "url": str(media.get("source_url") or "")}
        remote.media[digest] = stored
        return stored

    def _tag_id(self, name: str) -> int:
        found = self.call("GET", "/tags", params={"search": name, "per_page": 100})
        for tag in self.json_of(found, "the tags") if found.ok else []:
            if isinstance(tag, dict) and str(tag.get("name", "")).lower() == name.lower():
                return int(tag["id"])
        made = self.call("POST", "/tags", json={"name": name})
        tag = self.json_of(made, "a new tag")
        if made.ok and isinstance(tag, dict) and "id" in tag:
            return int(tag["id"])
        # Another request made it meanwhile, or the search missed it: WordPress says which.
        if isinstance(tag, dict) and tag.get("code") == "term_exists":
            return int((tag.get("data") or {}).get("term_id"))
        raise self.refused(made, f"the tag {name!r}")


_CAN = {"publish_posts": "publish posts", "upload_files": "upload media"}
