"""The claim service."""
