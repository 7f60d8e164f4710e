"""Thin Luigi tasks. A critical error stops the run: see critical.install()."""
