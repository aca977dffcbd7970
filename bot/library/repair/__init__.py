"""The parts of the mojibake repair behind bot.repair: the corruption's byte model, the rules
it settles by itself, the language model (built from package corpora) and the search."""
