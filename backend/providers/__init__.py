"""Providers: the live calls, each provider's module, the catalog, base URLs and trust."""
