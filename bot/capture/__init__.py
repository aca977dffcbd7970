"""Capture: the owner sends the bot a link, a paper or a quote, and it joins the library.

``rules`` (what a message holds) and ``meta`` (what a page says of itself) are pure; ``page``
reads a page with the feeds' bounded GET; ``service`` files what was sent, deduplicated as an
import is, and undoes it.
"""
