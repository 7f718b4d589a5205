"""Spiders of the newswatch crawler: one generic spider configured by a source (``source``)."""
