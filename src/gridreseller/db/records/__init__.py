"""The repository's parts, one per kind of record; db/repository.py joins them."""
