"""dev.to, or any Forem community, through its API (/api/articles) with an API key
(Settings → Extensions → DEV Community API Keys)."""

from __future__ import annotations

import re
from typing import Any

from publishing.destinations.base import Article, DestinationKind, Progress, Remote
from publishing.errors import NotThatSite

MAX_TAGS = 4
HEADERS = {"Accept": "application/vnd.forem.api-v1+json"}
# A Markdown image whose address is not on the web: Forem has no upload in its API.
_LOCAL_IMAGE = re.compile(r"!\[[^\]]*\]\((?!https?://)[^)]*\)\n?")


class Forem(DestinationKind):
    slug = "forem"
    label = "dev.to (Forem)"
    default_url = "https://dev.to"
    needs_url = False
    secret_help = "dev.to → Settings → Extensions → DEV Community API Keys."

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**HEADERS, "api-key": self.secret}
        return self.request(method, f"/api{path}", headers=headers, **kwargs)

    def check(self) -> str:
        me = self.call("GET", "/users/me")
        try:
            user = me.json()
        except ValueError:
            user = None
        if not me.ok or not isinstance(user, dict) or "username" not in user:
            if me.status_code in (404, 200):
                raise NotThatSite(f"{self.site_url} does not answer as a Forem site (dev.to).")
            raise self.refused(me, "the sign-in")
        return f"Signed in to {self.site_url} as @{user['username']}."

    def publish(
        self, article: Article, *, published: bool, previous: Remote | None, progress: Progress
    ) -> Remote:
        remote = Remote()
        tags = forem_tags(article.tags)
        if len(tags) < len(article.tags):
            remote.notes.append(
                f"dev.to takes at most {MAX_TAGS} tags of letters and digits: "
                f"sent {', '.join(tags) or 'none'}."
            )
        body = article.body_markdown
        local = _LOCAL_IMAGE.findall(body)
        if local:
            body = _LOCAL_IMAGE.sub("", body)
            remote.notes.append(
                f"dev.to's API takes no image uploads: {len(local)} picture(s) "
                "from the video were left out."
            )
        fields: dict[str, Any] = {
            "title": article.title,
            "body_markdown": body,
            "published": published,
            "tags": tags,
            "description": article.description[:300],
        }
        cover = article.cover
        if cover is not None and cover.url.startswith("https://"):
            fields["main_image"] = cover.url
        if article.canonical_url:
            fields["canonical_url"] = article.canonical_url
        answer = None
        if previous and previous.remote_id:
            progress(60, "Updating the article")
            answer = self.call("PUT", f"/articles/{previous.remote_id}", json={"article": fields})
            if answer.status_code == 404:
                remote.notes.append(
                    "The article published earlier is gone from the site: made a new one."
                )
                answer = None
        if answer is None:
            progress(60, "Creating the article")
            answer = self.call("POST", "/articles", json={"article": fields})
        data = self.json_of(answer, "the article")
        if not answer.ok or not isinstance(data, dict) or "id" not in data:
            said = data.get("error", "") if isinstance(data, dict) else ""
            raise self.refused(answer, "the article", str(said))
        remote.remote_id = str(data["id"])
        remote.url = str(data.get("url") or "")
        remote.status = "published" if data.get("published", published) else "draft"
        return remote


def forem_tags(tags: tuple[str, ...] | list[str]) -> list[str]:
    """dev.to's tags: lowercase letters and digits only, at most four."""
    out: list[str] = []
    for tag in tags:
        clean = re.sub(r"[^a-z0-9]", "", tag.lower())
        if clean and clean not in out:
            out.append(clean)
    return out[:MAX_TAGS]
