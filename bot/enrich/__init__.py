"""Enrichment: what a public source (arXiv) says of the owner's papers, looked up politely and
kept apart from what the owner wrote.

``matching`` (when a paper found by title is the owner's) and ``plan`` (what to ask, in which
batches, and when to ask again) are pure; ``atom`` reads arXiv's answers; ``arxiv`` sends the
requests; ``run`` is the service the job and ``lamplight enrich`` share.
"""
