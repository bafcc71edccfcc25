"""zcrxlint: lint Linux page_pool memory-provider patches."""

__version__ = "0.1.0"
