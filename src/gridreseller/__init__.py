"""gridreseller: the legacy SendGrid reseller and credentials API, self-hosted."""

__version__ = "0.1.0"
