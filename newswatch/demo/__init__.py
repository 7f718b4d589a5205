"""Bundled demo sites on loopback (:func:`start_demo_sites`), so the whole path works on a machine with no network."""

from newswatch.demo.sites import DemoSites, start_demo_sites
from newswatch.demo.stories import DemoStory

__all__ = ["DemoSites", "DemoStory", "start_demo_sites"]
