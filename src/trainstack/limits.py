"""Limits on what trainstack reads: every input is untrusted (profiles arrive in pull requests).

One place for the numbers, so the readers, the docs (docs/limits.md) and the tests agree.
A limit is generous for real use and small enough that no input can make trainstack hang,
crash or use much memory.
"""

from __future__ import annotations

# -- files --------------------------------------------------------------------------------
PROFILE_MAX_BYTES = 256 * 1024  # a profile is ~2 KB; suppressions included, far below this
STACK_MAX_BYTES = 64 * 1024 * 1024  # a synthesized stack is 10-40 KB; hand-extended ones grow
REPORT_PAGE_MAX_BYTES = 16 * 1024 * 1024  # one page of the Azure Retail Prices API (~1 MB)

# -- structure ----------------------------------------------------------------------------
PROFILE_MAX_DEPTH = 16  # a profile nests 3 levels (suppressions[0].rule)
PROFILE_MAX_NODES = 10_000  # values after YAML aliases are expanded (a profile has ~60)
JSON_MAX_DEPTH = 64  # Terraform JSON of a stack nests ~8 levels
NUMBER_MAX_CHARS = 40  # digits of one number as written (a 5,000-digit integer is refused)

# -- text ---------------------------------------------------------------------------------
FREE_TEXT_MAX_CHARS = 500  # problem.predicts (the workspace description: no Azure limit)
REASON_MAX_CHARS = 1000  # suppressions[].reason
EMAIL_MAX_CHARS = 254  # RFC 5321: the longest path a mail server accepts
SUPPRESSIONS_MAX = 500

# -- catalog refresh ----------------------------------------------------------------------
REFRESH_DEADLINE_SECONDS = 600.0  # all regions together; one region takes ~5-20 s
REFRESH_ATTEMPTS = 5  # per page, for 429 and 5xx answers
REFRESH_BACKOFF_SECONDS = 1.0  # doubled after each retry; Retry-After wins up to the cap
REFRESH_BACKOFF_MAX_SECONDS = 30.0
# USD for one meter's unit (an hour of the largest VMs costs ~100): a sanity bound, far
# above any real price, so an answer's nonsense never becomes a catalog price
REFRESH_PRICE_MAX_USD = 1_000_000
