"""Loaders: regulation text to provisions, an insurer's registers to the graph."""
