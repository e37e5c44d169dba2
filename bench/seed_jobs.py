"""Seed: a year of history, at 1,000 and at 100,000 jobs, for bench/pages.py.

    .venv/bin/python bench/seed_jobs.py [--sizes 1000 100000] [--force]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pages .venv/bin/python bench/seed_jobs.py

Each size gets a database of its own: SQLite files var/bench/pages-<size>.sqlite3, or with
a PostgreSQL DATABASE_URL the databases <name>_<size> (dropped and made again). A database
already seeded to the size is kept unless --force.

What a year of use looks like: six people (one staff), jobs spread over 365 days (more of
them recent), most completed, some failed, cancelled, queued or running; each job has its
7 steps and about 23 events, a completed one its post; a third of the videos written about
more than once, some transcripts uploaded, one job in 50 part of a playlist batch. Rows go
in with bulk_create, a few thousand at a time.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = (1_000, 100_000)
BATCH = 5_000
USERS = ("ana", "ben", "chloe", "dev", "emil")
STAFF = "ops"
WORDS = [
    "compost",
    "sourdough",
    "garden",
    "python",
    "django",
    "kubernetes",
    "guitar",
    "chess",
    "budget",
    "travel",
    "marathon",
    "photography",
    "knitting",
    "espresso",
    "astronomy",
    "history",
    "climate",
    "painting",
    "robots",
    "beekeeping",
    "podcast",
    "interview",
    "review",
    "tutorial",
    "basics",
    "advanced",
    "tips",
    "mistakes",
    "secrets",
    "guide",
    "beginners",
    "pro",
    "home",
    "cheap",
    "fast",
    "week",
    "year",
    "stories",
    "science",
    "music",
    "piano",
]
CHANNELS = [f"{w.title()} Channel" for w in WORDS[:40]]
# A phrase in the post titles of exactly NEEDLES jobs at every size, none of its words in
# WORDS: the search that finds the same few jobs among 1,000 and among 100,000, so its
# ratio measures how search grows with the history and not with the number of matches.
NEEDLE = "Origami volcano"
NEEDLES = 40


def video_id(i: int) -> str:
    """The i-th video's YouTube id, the same at every size: 11 characters of URL-safe base64
    as YouTube's are, not digits, whose few trigrams every URL would share."""
    digest = hashlib.sha256(f"video {i}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:11]


def database_url(base: str, size: int) -> str:
    """The database of ``size`` jobs: a SQLite file, or <name>_<size> on PostgreSQL."""
    if not base:
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / f'pages-{size}.sqlite3'}"
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{size}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--force", action="store_true", help="seed again even if seeded")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: seed one size
    args = parser.parse_args()
    if args.one:
        seed(args.one, force=args.force)
        return
    base = os.environ.get("DATABASE_URL", "")
    for size in args.sizes:
        env = {**os.environ, **bench_env(database_url(base, size))}
        command = [sys.executable, __file__, "--one", str(size)]
        subprocess.run(command + (["--force"] if args.force else []), env=env, check=True)


def bench_env(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }


def seed(size: int, *, force: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogtube_site.settings")
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres") and force:
        _recreate_postgres(url)
    elif url.startswith("postgres"):
        _create_postgres(url)
    elif force:
        Path(urlsplit(url).path).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from jobs.models import Job

    call_command("migrate", verbosity=0)
    if Job.objects.count() == size:
        print(f"{_where(url)}: {size:,} jobs already (--force seeds again)")
        return
    if Job.objects.exists():
        raise SystemExit(f"{_where(url)} holds other jobs: --force to seed it again")
    from django.db import connection

    from jobs.models.rollup import drop_triggers, install_triggers

    started = time.monotonic()
    # The stats rollup's triggers would note every row (a million): put back once seeded,
    # which also forgets the rollup, so the first stats read sums the seeded days.
    drop_triggers(connection)
    counts = Seeder(size).run()
    install_triggers(connection)
    _analyze()
    took = time.monotonic() - started
    summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
    print(f"{_where(url)}: {summary} in {took:.0f} s")


def _where(url: str) -> str:
    parts = urlsplit(url)
    return (
        "/" + parts.path.lstrip("/")
        if parts.scheme.startswith("sqlite")
        else parts.path.lstrip("/")
    )


def _create_postgres(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _recreate_postgres(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _analyze() -> None:
    """Statistics for the planner; on PostgreSQL also the visibility map VACUUM keeps, without
    which no count reads an index alone (autovacuum would, some time after seeding)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


class Seeder:
    def __init__(self, size: int) -> None:
        from django.utils import timezone

        self.size = size
        self.rng = random.Random(size)
        self.now = timezone.now()
        self.counts: dict[str, int] = {}
        self.needles = 0

    def run(self) -> dict[str, int]:
        from django.contrib.auth import get_user_model
        from django.db import transaction

        from providers.models import Provider

        User = get_user_model()
        with transaction.atomic():
            people = [User.objects.create_user(name) for name in USERS]
            people.append(User.objects.create_user(STAFF, is_staff=True))
            self.providers = list(Provider.objects.filter(enabled=True)) or list(
                Provider.objects.all()
            )
            self.people = people
            self._videos()
            self._batches()
            self._jobs()
        return self.counts

    def _title(self) -> str:
        words = self.rng.sample(WORDS, self.rng.randint(3, 7))
        return " ".join(words).capitalize()

    def _when(self) -> dt.datetime:
        # More recent than old: a service that grew over the year.
        days = 365 * (1 - self.rng.random() ** 0.7)
        return self.now - dt.timedelta(days=days, seconds=self.rng.randint(0, 86_399))

    def _videos(self) -> None:
        from videos.models import Transcript, Video

        n = max(1, self.size * 2 // 3)
        videos = []
        for i in range(n):
            youtube_id = video_id(i)
            videos.append(
                Video(
                    youtube_id=youtube_id,
                    url=f"https://www.youtube.com/watch?v={youtube_id}",
                    title=self._title(),
                    channel=self.rng.choice(CHANNELS),
                    duration=self.rng.randint(60, 3 * 3600),
                    thumbnail_url=f"https://i.ytimg.com/vi/{youtube_id}/hqdefault.jpg",
                    fetched_at=(when := self._when()),
                    created=when,
                )
            )
        self.videos = self._bulk(Video, videos)
        transcripts = [
            Transcript(
                video=video,
                language_code="en",
                language="English",
                source=Transcript.Source.YOUTUBE,
                text="A short stand-in transcript for the bench.",
                char_count=42,
                word_count=7,
            )
            for video in self.videos
        ]
        self.transcripts = dict(
            zip((v.pk for v in self.videos), self._bulk(Transcript, transcripts), strict=True)
        )

    def _batches(self) -> None:
        from jobs.models import Batch

        batches = [
            Batch(
                owner=self.rng.choice(self.people),
                kind=self.rng.choice(list(Batch.Kind.values)),
                source_url=f"https://www.youtube.com/playlist?list=PL{i:020d}",
                source_id=f"PL{i:020d}",
                title=f"Playlist: {self._title()}",
                channel=self.rng.choice(CHANNELS),
                created=self._when(),
            )
            for i in range(max(30, self.size // 1000))
        ]
        self.batches = self._bulk(Batch, batches)

    def _jobs(self) -> None:
        from jobs.models import STEPS, Job, JobEvent, JobStep, Post
        from jobs.models.search import JobSearch
        from videos.models import Transcript

        statuses = ["completed"] * 85 + ["failed"] * 8 + ["cancelled"] * 4 + ["queued"] * 2
        statuses += ["running"]
        done = 0
        while done < self.size:
            n = min(BATCH, self.size - done)
            jobs, steps, events, uploads = [], [], [], []
            for i in range(n):
                job = self._job(done + i, self.rng.choice(statuses))
                jobs.append(job)
                if job.transcript_file_name:
                    uploads.append(job)
            # Uploads bring their own transcript, with no video behind it.
            made = self._bulk(
                Transcript,
                [
                    Transcript(
                        language_code="en",
                        source=Transcript.Source.UPLOAD,
                        file_name=job.transcript_file_name,
                        text="Uploaded stand-in.",
                        char_count=18,
                        word_count=2,
                    )
                    for job in uploads
                ],
            )
            for job, transcript in zip(uploads, made, strict=True):
                job.transcript = transcript
            posts = {
                job.pk: self._post(job, Post, needle=self._needle(done + i))
                for i, job in enumerate(jobs)
                if job.status == "completed"
            }
            searches = [self._index(job, posts.get(job.pk), JobSearch) for job in jobs]
            self._bulk(Job, jobs)
            for job in jobs:
                steps.extend(self._steps(job, STEPS, JobStep))
                events.extend(self._events(job, JobEvent))
            self._rows(JobStep, steps)
            self._rows(JobEvent, events)
            self._bulk(Post, list(posts.values()))
            # What Job.reindex() stores, as create_job leaves it: without it search finds
            # nothing and the title and provider sorts order equal keys.
            self._rows(JobSearch, searches)
            done += n
            print(f"  {done:,} of {self.size:,} jobs", file=sys.stderr, end="\r")
        print(file=sys.stderr)

    def _job(self, i: int, status: str):
        from jobs.models import Job

        rng = self.rng
        created = self._when()
        job = Job(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            owner=rng.choice(self.people),
            provider=rng.choice(self.providers),
            status=status,
            created=created,
            updated=created,
            priority=0,
            attempts=1 if status != "queued" else 0,
        )
        if rng.random() < 0.02:
            job.transcript_file_name = f"{self._title().lower().replace(' ', '-')[:40]}.srt"
            job.language = ""
        else:
            job.video = rng.choice(self.videos)
            job.transcript = self.transcripts[job.video.pk]
            job.source_url = job.video.url
            if rng.random() < 0.02:
                job.batch = rng.choice(self.batches)
        if status != "queued":
            job.started = created + dt.timedelta(seconds=rng.uniform(0.1, 30))
        if status in Job.FINISHED:
            job.finished = job.started + dt.timedelta(seconds=rng.lognormvariate(3.5, 0.8))
            job.updated = job.finished
        job.progress = {"completed": 100, "queued": 0}.get(status, rng.randint(5, 95))
        if status in ("completed", "failed", "running"):
            job.tokens_in = rng.randint(2_000, 40_000)
            job.tokens_out = rng.randint(500, 4_000)
        if status == "failed":
            job.error_code = rng.choice(
                ["transcript_unavailable", "provider_error", "rate_limited"]
            )
            job.error_message = "The stand-in failure of the bench."
        if status == "running":
            job.current_step = "generate"
            job.heartbeat = self.now
        return job

    def _index(self, job, post, JobSearch):
        from jobs.models.search import indexed_text, provider_sort_key

        job.sort_title, text = indexed_text(
            job.video.title if job.video_id else None,
            post.title if post else None,
            job.transcript_file_name,
            job.source_url,
        )
        job.sort_provider = provider_sort_key(job.provider.name)
        return JobSearch(job_id=job.pk, text=text)

    def _steps(self, job, specs, JobStep) -> list:
        steps = []
        at = job.started
        stop = len(specs) if job.status == "completed" else self.rng.randint(0, len(specs) - 1)
        for order, spec in enumerate(specs):
            step = JobStep(job=job, step=spec.name, order=order)
            if at is not None and order < stop:
                step.status, step.percent, step.started = "done", 100, at
                at = at + dt.timedelta(seconds=self.rng.uniform(0.05, 8 if order == 4 else 1))
                step.finished = at
            elif at is not None and order == stop and job.status != "queued":
                step.status = {"failed": "failed", "cancelled": "cancelled"}.get(
                    job.status, "running"
                )
                step.started = at
            steps.append(step)
        return steps

    def _events(self, job, JobEvent) -> list:
        count = 23 if job.status == "completed" else self.rng.randint(2, 20)
        kinds = ["status", "step", "step", "token", "token", "token", "log"]
        events = []
        for n in range(count):
            kind = "status" if n in (0, count - 1) else self.rng.choice(kinds)
            message = "" if kind == "token" else f"Step {n}: done"
            data = {"text": "some words "} if kind == "token" else {}
            events.append(
                JobEvent(job=job, kind=kind, message=message, data=data, created=job.created)
            )
        return events

    def _needle(self, index: int) -> bool:
        """Whether the completed job at this index gets the needle: the first one at or past
        each of NEEDLES marks spread over the history, so the count is the same at any size."""
        if self.needles >= NEEDLES or index < self.needles * self.size // NEEDLES:
            return False
        self.needles += 1
        return True

    def _post(self, job, Post, *, needle: bool = False):
        title = job.video.title if job.video_id else self._title()
        if needle:
            title = f"{NEEDLE}: {title.lower()}"
        return Post(
            job=job,
            video_id=job.video_id,
            title=title,
            slug=f"{title.lower().replace(' ', '-')[:60]}-{str(job.pk)[:8]}",
            description="A stand-in post of the bench.",
            tags=["bench"],
            markdown=f"# {title}\n\nA stand-in post.",
            html=f"<h1>{title}</h1><p>A stand-in post.</p>",
            word_count=300,
            created=job.finished,
            updated=job.finished,
        )

    def _rows(self, model, rows: list) -> None:
        """Rows nobody needs back, the millions of steps and events: straight to the
        driver (COPY on PostgreSQL), without the ORM's per-value SQL compiling."""
        from django.db import connection
        from django.db.models import AutoField

        fields = [
            f for f in model._meta.concrete_fields
            if not f.generated and not isinstance(f, AutoField)
        ]  # fmt: skip
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        values = (
            tuple(f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields)
            for row in rows
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
        name = model._meta.verbose_name_plural
        self.counts[name] = self.counts.get(name, 0) + len(rows)

    def _bulk(self, model, rows: list) -> list:
        from django.db.models.fields import DateTimeField

        # auto_now(_add) would overwrite the spread dates with now.
        auto = [
            f for f in model._meta.concrete_fields
            if isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add)
        ]  # fmt: skip
        saved = [(f, f.auto_now, f.auto_now_add) for f in auto]
        for f in auto:
            if all(getattr(row, f.attname) for row in rows):
                f.auto_now = f.auto_now_add = False
        try:
            made = model.objects.bulk_create(rows, batch_size=1000)
        finally:
            for f, now, now_add in saved:
                f.auto_now, f.auto_now_add = now, now_add
        name = model._meta.verbose_name_plural
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return made


if __name__ == "__main__":
    main()
