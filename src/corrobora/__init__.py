"""Corrobora: events you can trust from public reporting on organized crime and political
violence."""

__version__ = "0.1.0"
