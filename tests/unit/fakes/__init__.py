"""An in-memory fake of the stores some services declare (services/storage.py), for
fast tests of their rules; the real-database tests of the same services stay."""
