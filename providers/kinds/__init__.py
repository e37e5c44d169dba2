"""One small module per kind of provider, all behind ProviderKind (see base.py)."""
