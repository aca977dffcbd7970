"""Items of the owner's seed library hand-labelled as one reader's topic, for the taste benchmark
and tests: "generative AI" — models that generate images, text or media (GANs, diffusion, VAEs,
image synthesis and translation, text generation, the GPT family, AI painting). They cut across
files and sections: three notes files, over twenty sections and none.

Each entry is the first ten hex digits of the SHA-1 of an item's title, so the list names the
items without repeating the notes' text. 48 of the library's ~600 items (8 %).
"""

from __future__ import annotations

import hashlib

GENERATIVE = frozenset(
    {
        "9cc84679d0", "eb3635e47f", "5f469199c0", "0b5271c7ce", "b5acb09b8f", "5e1cd94f79",
        "2bef646260", "ef65445646", "01b14dd9af", "6de04efbda", "8d8725c3ea", "44ce28a425",
        "550a7c2bcf", "b163af128b", "fbec1c18b8", "8675d94068", "0d8f8ca54b", "ae60160eaf",
        "8d15bba70f", "b25334b296", "f5619a7c8a", "ba62193d2c", "a91d781b33", "3296fdf18c",
        "084227243a", "ce46392a7a", "244e5864cb", "a8c3f737d4", "8ae9d229de", "572bff2ad4",
        "164c9332a5", "6c7fca6b1f", "e9e34a4694", "330d787efe", "709cfb3dc9", "f21ac0076b",
        "70ba8aec79", "74afc40ec9", "ef0f5c9c46", "c0e0493f02", "f67455d835", "bacef3aa90",
        "493c0b121c", "b5c6cc8abd", "0f813ad1e7", "00035ad3c5", "b1c11938e4", "20f3f46056",
    }
)  # fmt: skip


def title_key(title: str) -> str:
    """The label key of an item's title."""
    return hashlib.sha1(title.encode()).hexdigest()[:10]


def is_generative(title: str) -> bool:
    return title_key(title) in GENERATIVE
