"""Tools for developing and trying lamplight, never used by the running bot: the fake Bot API
(a local stand-in for Telegram that tests and the demo talk to) and the demo itself."""
