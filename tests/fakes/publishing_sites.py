"""Fake WordPress, Ghost and Forem (dev.to) servers on 127.0.0.1 for publishing tests.

Real HTTP servers, so BlogTube's real requests session (and its connection guard) runs
against them. Each answers its API's documented request shapes and checks its own auth:

- WordPress: /wp-json/ (the index, listing the wp/v2 namespace), /wp-json/wp/v2/users/me,
  /posts, /posts/<id>, /media (raw body with Content-Disposition), /media/<id>, /tags;
  HTTP basic auth with the user's application password.
- Ghost: /ghost/api/admin/site/ (no auth), /posts/ (?source=html), /posts/<id>/ (PUT needs
  the post's current updated_at), /images/upload/ (multipart ``file``); ``Authorization:
  Ghost <jwt>``, the JWT checked as Ghost does (HS256 with the hex secret, kid, aud /admin/).
- Forem: /api/users/me, /api/articles (POST), /api/articles/<id> (PUT); ``api-key`` header;
  at most four tags, as dev.to refuses more.

``received`` records every request; ``posts``, ``media`` and ``tags`` are the site's state.
``fail_status`` answers every request but the site index with that status, ``fail_times``
only the first N of them; ``moved_to`` redirects them all (301) to another address.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.parser
import email.policy
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest

WP_USER, WP_PASSWORD = "ada", "abcd EFGH ijkl MNOP qrst UVWX"
GHOST_KEY = "64f1a2b3c4d5e6f7a8b9c0d1:" + "8a9c" * 16
FOREM_KEY = "forem-key-1234567890"


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


class FakeSite:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.received: list[Received] = []
        self.posts: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, int] = {"Existing": 7}
        self.capabilities = {"publish_posts": True, "upload_files": True}
        self.forbidden = False
        self.fail_status: int | None = None
        self.fail_times: int | None = None
        # Set: every API request is answered 301 to this address (a site moved to https).
        self.moved_to: str | None = None
        self._failed = 0
        self._next_id = 100
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def start(self) -> FakeSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def new_id(self) -> str:
        with self._lock:
            self._next_id += 1
            return str(self._next_id)

    def requests_to(self, method: str, path_part: str) -> list[Received]:
        return [r for r in self.received if r.method == method and path_part in r.path]

    def should_fail(self) -> bool:
        if self.fail_status is None:
            return False
        with self._lock:
            if self.fail_times is not None and self._failed >= self.fail_times:
                return False
            self._failed += 1
            return True


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    # --- plumbing --------------------------------------------------------------------

    def _handle(self) -> None:
        fake: FakeSite = self.server.fake  # type: ignore[attr-defined]
        parts = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Received(
            method=self.command,
            path=parts.path,
            query=dict(urllib.parse.parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        content_type = self.headers.get("Content-Type", "")
        if "json" in content_type and body:
            request.json = json.loads(body)
        elif content_type.startswith("multipart/form-data"):
            request.files = _multipart(content_type, body)
        fake.received.append(request)
        is_index = parts.path in ("/wp-json/", "/ghost/api/admin/site/")
        if not is_index and fake.moved_to:
            self.send_response(301)
            self.send_header("Location", fake.moved_to + parts.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not is_index and fake.should_fail():
            return self._json(fake.fail_status or 500, {"message": "Internal error"})
        handler = getattr(self, f"_{fake.kind}")
        handler(fake, request)

    def _json(self, status: int, data: Any) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _not_found(self) -> None:
        self._json(404, {"code": "rest_no_route", "message": "No route was found."})

    # --- WordPress -------------------------------------------------------------------

    def _wordpress(self, fake: FakeSite, r: Received) -> None:
        if r.path == "/wp-json/":
            return self._json(
                200, {"name": "Fake WordPress", "namespaces": ["oembed/1.0", "wp/v2"]}
            )
        if not r.path.startswith("/wp-json/wp/v2/"):
            return self._not_found()
        expected = "Basic " + base64.b64encode(f"{WP_USER}:{WP_PASSWORD}".encode()).decode()
        if r.headers.get("authorization") != expected:
            return self._json(
                401,
                {
                    "code": "incorrect_password",
                    "message": "The provided password is an invalid application password.",
                },
            )
        route = r.path.removeprefix("/wp-json/wp/v2")
        if route == "/users/me":
            return self._json(
                200, {"id": 1, "name": "Ada Lovelace", "capabilities": fake.capabilities}
            )
        if route == "/media" and r.method == "POST":
            if not fake.capabilities.get("upload_files"):
                return self._json(
                    403,
                    {
                        "code": "rest_cannot_create",
                        "message": "Sorry, you are not allowed to upload files.",
                    },
                )
            disposition = r.headers.get("content-disposition", "")
            if "filename=" not in disposition or not r.body:
                return self._json(
                    400, {"code": "rest_upload_no_data", "message": "No data supplied."}
                )
            media_id = fake.new_id()
            name = disposition.split("filename=")[1].strip('"')
            fake.media[media_id] = {
                "id": int(media_id), "source_url": f"{fake.url}/wp-content/uploads/{name}",
                "mime_type": r.headers.get("content-type"), "bytes": r.body, "alt_text": "",
            }  # fmt: skip
            return self._json(201, {k: v for k, v in fake.media[media_id].items() if k != "bytes"})
        if route.startswith("/media/") and r.method == "POST":
            item = fake.media.get(route.rsplit("/", 1)[1])
            if item is None:
                return self._not_found()
            item["alt_text"] = (r.json or {}).get("alt_text", item["alt_text"])
            return self._json(200, {k: v for k, v in item.items() if k != "bytes"})
        if route == "/tags" and r.method == "GET":
            term = r.query.get("search", "").lower()
            found = [{"id": i, "name": n} for n, i in fake.tags.items() if term in n.lower()]
            return self._json(200, found)
        if route == "/tags" and r.method == "POST":
            name = (r.json or {}).get("name", "")
            if name in fake.tags:
                return self._json(
                    400,
                    {"code": "term_exists", "data": {"status": 400, "term_id": fake.tags[name]}},
                )
            fake.tags[name] = int(fake.new_id())
            return self._json(201, {"id": fake.tags[name], "name": name})
        if route == "/posts" and r.method == "POST":
            if not fake.capabilities.get("publish_posts"):
                return self._json(
                    403,
                    {
                        "code": "rest_cannot_create",
                        "message": "Sorry, you are not allowed to create posts as this user.",
                    },
                )
            post_id = fake.new_id()
            fake.posts[post_id] = {
                **(r.json or {}),
                "id": int(post_id),
                "link": f"{fake.url}/?p={post_id}",
            }
            return self._json(201, fake.posts[post_id])
        if route.startswith("/posts/") and r.method == "POST":
            post_id = route.rsplit("/", 1)[1]
            if post_id not in fake.posts:
                return self._json(
                    404, {"code": "rest_post_invalid_id", "message": "Invalid post ID."}
                )
            fake.posts[post_id].update(r.json or {})
            return self._json(200, fake.posts[post_id])
        return self._not_found()

    # --- Ghost -----------------------------------------------------------------------

    def _ghost(self, fake: FakeSite, r: Received) -> None:
        if r.path == "/ghost/api/admin/site/":
            return self._json(
                200, {"site": {"title": "Fake Ghost", "url": fake.url, "version": "5.96"}}
            )
        if not r.path.startswith("/ghost/api/admin/"):
            return self._not_found()
        if not self._ghost_token_ok(r.headers.get("authorization", "")):
            return self._json(
                401, {"errors": [{"message": "Invalid token", "type": "UnauthorizedError"}]}
            )
        if fake.forbidden:
            return self._json(
                403, {"errors": [{"message": "Permission error", "type": "NoPermissionError"}]}
            )
        route = r.path.removeprefix("/ghost/api/admin")
        if route == "/images/upload/" and r.method == "POST":
            if "file" not in r.files:
                return self._json(422, {"errors": [{"message": "Please select an image."}]})
            name, data = r.files["file"]
            fake.media[name] = {"bytes": data, "ref": r.files.get("ref", ("", b""))[1].decode()}
            return self._json(
                201, {"images": [{"url": f"{fake.url}/content/images/{name}", "ref": name}]}
            )
        if route == "/posts/" and r.method == "GET":
            return self._json(200, {"posts": list(fake.posts.values())[:1], "meta": {}})
        if route == "/posts/" and r.method == "POST":
            if r.query.get("source") != "html":
                return self._json(422, {"errors": [{"message": "Send source=html to post HTML."}]})
            post = (r.json or {}).get("posts", [{}])[0]
            post_id = fake.new_id()
            post.update(
                id=post_id, url=f"{fake.url}/{post.get('slug', post_id)}/", updated_at=_now()
            )
            fake.posts[post_id] = post
            return self._json(201, {"posts": [post]})
        if route.startswith("/posts/"):
            post_id = route.split("/")[2]
            if post_id not in fake.posts:
                return self._json(
                    404, {"errors": [{"message": "Post not found.", "type": "NotFoundError"}]}
                )
            current = fake.posts[post_id]
            if r.method == "GET":
                return self._json(200, {"posts": [current]})
            if r.method == "PUT":
                change = (r.json or {}).get("posts", [{}])[0]
                if "updated_at" not in change:
                    return self._json(
                        422,
                        {
                            "errors": [
                                {
                                    "message": "Validation error, cannot edit post.",
                                    "context": "updated_at is required",
                                }
                            ]
                        },
                    )
                if change["updated_at"] != current["updated_at"]:
                    return self._json(
                        409,
                        {
                            "errors": [
                                {
                                    "message": "Saving failed! Someone else is editing this post.",
                                    "type": "UpdateCollisionError",
                                }
                            ]
                        },
                    )
                current.update(change, updated_at=_now())
                return self._json(200, {"posts": [current]})
        return self._not_found()

    @staticmethod
    def _ghost_token_ok(authorization: str) -> bool:
        scheme, _, token = authorization.partition(" ")
        key_id, _, secret = GHOST_KEY.partition(":")
        if scheme != "Ghost" or not token:
            return False
        try:
            if jwt.get_unverified_header(token).get("kid") != key_id:
                return False
            jwt.decode(token, bytes.fromhex(secret), algorithms=["HS256"], audience="/admin/")
        except jwt.PyJWTError:
            return False
        return True

    # --- Forem -----------------------------------------------------------------------

    def _forem(self, fake: FakeSite, r: Received) -> None:
        if not r.path.startswith("/api/"):
            return self._not_found()
        if r.headers.get("api-key") != FOREM_KEY:
            return self._json(401, {"error": "unauthorized", "status": 401})
        if r.path == "/api/users/me":
            return self._json(200, {"type_of": "user", "id": 1, "username": "ada", "name": "Ada"})
        if r.path == "/api/articles" and r.method == "POST":
            article = (r.json or {}).get("article") or {}
            error = _forem_invalid(article)
            if error:
                return self._json(422, {"error": error, "status": 422})
            article_id = fake.new_id()
            fake.posts[article_id] = {
                **article,
                "id": int(article_id),
                "url": f"{fake.url}/ada/{article_id}",
            }
            return self._json(201, fake.posts[article_id])
        if r.path.startswith("/api/articles/") and r.method == "PUT":
            article_id = r.path.rsplit("/", 1)[1]
            if article_id not in fake.posts:
                return self._json(404, {"error": "not found", "status": 404})
            article = (r.json or {}).get("article") or {}
            error = _forem_invalid(article)
            if error:
                return self._json(422, {"error": error, "status": 422})
            fake.posts[article_id].update(article)
            return self._json(200, fake.posts[article_id])
        return self._not_found()


def _forem_invalid(article: dict[str, Any]) -> str:
    tags = article.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in tags.split(",") if t.strip()]
    if len(tags) > 4:
        return "Validation failed: Tag list exceed the maximum of 4 tags"
    if not article.get("title"):
        return "Validation failed: Title can't be blank"
    return ""


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    found = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        found[name] = (part.get_filename() or "", part.get_payload(decode=True) or b"")
    return found


def _site(kind: str) -> Iterator[FakeSite]:
    site = FakeSite(kind).start()
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture
def fake_wordpress() -> Iterator[FakeSite]:
    yield from _site("wordpress")


@pytest.fixture
def fake_ghost() -> Iterator[FakeSite]:
    yield from _site("ghost")


@pytest.fixture
def fake_forem() -> Iterator[FakeSite]:
    yield from _site("forem")


@pytest.fixture
def no_dns(monkeypatch):
    """Names other than localhost do not resolve: a destination a test (or a fuzzer) makes up
    never sends a DNS query, let alone a request, out of this machine."""
    import socket

    real = socket.getaddrinfo

    def offline(host, *args, **kwargs):
        text = host.decode() if isinstance(host, bytes) else str(host or "")
        try:
            import ipaddress

            ipaddress.ip_address(text)
        except ValueError:
            if text != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", offline)
