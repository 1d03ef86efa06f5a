"""The web app: the page shell, the pages (dashboard/pages/) and the figures they draw."""
