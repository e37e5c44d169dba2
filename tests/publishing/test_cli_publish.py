"""`manage.py blogtube --publish DEST`: the post goes to the destination when it is written."""

from __future__ import annotations

import zipfile

import pytest
from django.core.management import CommandError, call_command

from jobs.models import Job, Publication
from tests.accounts import make_user
from tests.jobs.conftest import COMPOST_SRT
from tests.publishing.conftest import make_destination

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def compost_srt(tmp_path):
    path = tmp_path / "compost-basics.srt"
    path.write_text(COMPOST_SRT)
    return path


@pytest.fixture
def operator(db):
    return make_user("operator", staff=True)


def test_publish_sends_the_new_post_and_says_where(
    operator, compost_srt, fake_wordpress, tmp_path, capsys
):
    make_destination("wordpress", fake_wordpress.url, owner=operator, name="Blog")
    make_destination("static", owner=operator, name="Site", generator="jekyll")

    call_command(
        "blogtube", "--transcript-file", str(compost_srt), "--out", str(tmp_path / "post.md"),
        "--publish", "blog", "--publish", "Site", "--published",
    )  # fmt: skip

    err = capsys.readouterr().err
    [post] = fake_wordpress.posts.values()
    assert post["status"] == "publish"
    assert f"Blog: {post['link']}" in err
    [publication] = Publication.objects.all()
    assert publication.state == Publication.State.DONE
    [zipped] = tmp_path.glob("*-jekyll.zip")
    assert any(n.startswith("_posts/") for n in zipfile.ZipFile(zipped).namelist())
    assert Job.objects.get().status == Job.Status.COMPLETED


def test_an_unknown_destination_is_refused_before_anything_runs(operator, compost_srt):
    make_destination("static", owner=operator, name="Site")
    with pytest.raises(
        CommandError, match=r"operator has no destination 'nope' \(they have: Site\)"
    ):
        call_command("blogtube", "--transcript-file", str(compost_srt), "--publish", "nope")
    assert not Job.objects.exists()
