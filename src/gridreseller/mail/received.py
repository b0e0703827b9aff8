"""The trace header now lives with the rest of the outbound path (sending/received.py);
kept here for the mail surface's existing imports."""

from gridreseller.sending.received import received_header

__all__ = ["received_header"]
