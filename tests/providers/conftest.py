from __future__ import annotations

# pytest_plugins is only allowed in the root conftest; importing the fixture
# exposes it to these tests whether or not the root lists the plugin.
from tests.fakes.llm_server import fake_llm  # noqa: F401
