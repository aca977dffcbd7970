"""Shipping tests: the image's files, and the bot run as the image runs it."""

from tests.support.botapi import botapi as botapi  # the fixture, re-exported for pytest
