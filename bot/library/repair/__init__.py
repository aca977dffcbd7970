"""The mojibake repair: its entry (text.py), the corruption's byte model, the rules it
settles by itself, the language model (built from package corpora) and the search."""
