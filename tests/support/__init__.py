"""Builders shared by tests in several folders: plans, waves, responses and the command line, made the same way."""
