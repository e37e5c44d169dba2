"""Site addresses are hostile input: what is refused, and why."""

from __future__ import annotations

import pytest

from publishing import outbound, services
from publishing.errors import BadSiteURL
from tests.accounts import make_user
from tests.publishing.conftest import make_destination

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("", "Enter the site's address."),
        ("blog.example.com", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
        ("gopher://blog.example.com", "must start with https://"),
        ("https://", "has no host name"),
        ("https://ada:pw@blog.example.com", "must not hold a user name or password"),
        ("https://blog.example.com/?p=1", "must not have a ?query or #fragment"),
        ("https://blog example.com", "spaces or control characters"),
        ("https://a..b/", "is not a valid host name"),
        ("https://[::1", "cannot be read"),
        ("https://blog.example.com:99999", "cannot be read"),
        ("https://" + "a" * 600, "longer than 500 characters"),
    ],
)
def test_a_bad_address_says_what_is_wrong(url, said):
    with pytest.raises(BadSiteURL) as refused:
        outbound.site_url(url)
    assert said in refused.value.message


def test_an_address_is_kept_in_one_shape():
    assert outbound.site_url(" HTTPS://Blog.Example.com/news/ ") == "https://blog.example.com/news"
    assert outbound.site_url("https://bücher.example") == "https://xn--bcher-kva.example"


def test_a_site_that_moved_says_where_instead_of_following(
    written_job, wordpress, fake_wordpress, publish_now
):
    fake_wordpress.moved_to = "https://www.blog.example"

    job = publish_now(written_job, wordpress)

    assert job.status == "failed"
    assert job.error_message.startswith("The site sends its API to https://www.blog.example/")
    assert fake_wordpress.posts == {}


def test_staff_publish_with_their_own_destinations_only(fake_wordpress):
    boss = make_user("boss", staff=True)
    theirs = make_destination("wordpress", fake_wordpress.url, owner=make_user("bob"))
    assert services.find_destination(boss, theirs.pk) is None
    assert services.find_destination(boss, theirs.name) is None
    mine = make_destination("wordpress", fake_wordpress.url, owner=boss, name="Mine")
    assert services.find_destination(boss, "mine") == mine
