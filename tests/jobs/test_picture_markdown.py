"""Where a post's pictures go: which sections have a start in the video, and the Markdown."""

from __future__ import annotations

from jobs.picture_markdown import Placed, Section, sections, with_pictures

LINK = "([1:05](https://youtu.be/dQw4w9WgXcQ?t=65))"


def test_a_section_starts_where_its_heading_links_else_the_draft_else_its_chapter():
    body = "# T\n\n## Tools\n\nx\n\n## Setup\n\ny\n\n## Wrap-up\n\nz\n\n## Odds *and* ends\n"
    draft = f"# T\n\n## Tools {LINK}\n\nx\n"
    chapters = [{"title": "SETUP", "start": 30.0}, {"title": "Odds and ends", "start": 90.0}]
    later = "([2:05](https://youtu.be/dQw4w9WgXcQ?t=125))"
    found = sections(body.replace("## Wrap-up", f"## Wrap-up {later}"), draft, chapters)
    assert [(s.heading, s.seconds) for s in found] == [
        ("Tools", 65.0), ("Setup", 30.0), ("Wrap-up", 125.0), ("Odds and ends", 90.0),
    ]  # fmt: skip


def test_headings_inside_code_blocks_are_not_sections():
    body = "```\n## not a heading\n```\n\n## Real\n"
    assert [s.heading for s in sections(body)] == ["Real"]


def test_pictures_go_under_their_headings_once_and_the_cover_into_front_matter():
    body = "# T\n\n## One\n\nText.\n\n## Two\nRight after.\n"
    placed = [
        Placed(Section(2, "One", 5.0), "t/01-one.jpg", "One [a] (the video at 0:05)"),
        Placed(Section(6, "Two", 9.0), "t/02-two.jpg", "Two"),
    ]
    front = {"title": "T", "tags": ["a"], "date": "2025-01-01"}
    text = with_pictures(front, body, "t/cover.jpg", placed)
    assert text.startswith("---\ntitle: T\ntags:\n- a\nimage: t/cover.jpg\ndate: '2025-01-01'\n")
    assert "## One\n\n![One \\[a\\] (the video at 0:05)](t/01-one.jpg)\n\nText." in text
    assert "## Two\n\n![Two](t/02-two.jpg)\n\nRight after." in text
    # A second run (a retry) adds nothing.
    _, _, again_body = text.partition("---\n\n")
    again = with_pictures(front | {"image": "t/cover.jpg"}, again_body, "t/cover.jpg", [
        Placed(Section(2, "One", 5.0), "t/01-one.jpg", "One"),
    ])  # fmt: skip
    assert again.count("t/01-one.jpg") == 1
