"""The access core: who is calling and what they may do, for every surface."""
