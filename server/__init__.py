"""Samskab: a real-time workshop board for Danish municipalities."""
