"""The README's configuration table must keep up with the variables the code reads."""

from __future__ import annotations

import re
from pathlib import Path

from providers.registry import KINDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# `NAME` in the first cell of a table row (a row may name two: `A`, `B`).
DOCUMENTED = {
    name
    for row in README.splitlines()
    if row.startswith("| `")
    for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split(" | ")[0])
}


def settings_variables() -> set[str]:
    source = (ROOT / "blogtube_site" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))


def test_settings_reads_the_variables_it_is_meant_to():
    # A sanity check of the parse above, so the next test cannot pass on an empty set.
    assert {"DATABASE_URL", "BLOGTUBE_HEALTH_CHECK_MINUTES", "YOUTUBE_PROXY_URL"} <= (
        settings_variables()
    )


def test_every_settings_variable_is_in_the_readme_table():
    assert settings_variables() - DOCUMENTED == set()


def test_every_provider_key_variable_is_in_the_readme_table():
    variables = {kind.key_env for kind in KINDS.values() if kind.key_env}
    assert variables - DOCUMENTED == set()


def test_the_readme_links_only_to_files_inside_the_repository():
    targets = re.findall(r"\]\(([^)\s]+)\)", README)
    local = [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:|#", t)]
    assert "docs/architecture.md" in local  # the parse finds links at all
    for target in local:
        path = (ROOT / target).resolve()
        assert path.is_relative_to(ROOT) and path.exists(), target
