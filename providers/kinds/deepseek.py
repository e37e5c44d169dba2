"""DeepSeek's API."""

from __future__ import annotations

from providers.kinds.base import ProviderKind


class DeepSeekKind(ProviderKind):
    slug = "deepseek"
    label = "DeepSeek"
    default_base_url = "https://api.deepseek.com/v1"
    default_model = "deepseek-chat"
    key_env = "DEEPSEEK_API_KEY"
    help_text = "api.deepseek.com; key from DEEPSEEK_API_KEY."
    context_windows = {"deepseek-chat": 65_536, "deepseek-reasoner": 65_536}
    default_context_window = 65_536
