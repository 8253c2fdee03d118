"""`python -m corrobora.cli`."""

from corrobora.cli import app

app()
