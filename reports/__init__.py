"""Exported reports (self-contained files to circulate)."""
