"""LD Align core: domain model, services, analytics and adapters shared by the app, the CLI and the tests."""

__version__ = "0.1.0"
