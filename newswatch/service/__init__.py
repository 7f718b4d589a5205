"""The long-running service: scheduled polls and crawl children, delivery loop, app lifecycle."""
