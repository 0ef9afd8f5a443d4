"""docs/limits.md states the limits the code applies (a change to one must change the other)."""

from __future__ import annotations

from conftest import ROOT
from trainstack import limits
from trainstack.profile import models

DOC = (ROOT / "docs" / "limits.md").read_text()


def test_every_file_and_structure_limit_is_documented():
    expected = [
        f"at most {limits.PROFILE_MAX_BYTES:,} bytes",
        f"at most {limits.PROFILE_MAX_NODES:,} values",
        f"at most {limits.PROFILE_MAX_DEPTH} levels",
        f"at most {limits.NUMBER_MAX_CHARS} characters",
        f"at most {limits.STACK_MAX_BYTES // 2**20} MiB",
        f"at most {limits.JSON_MAX_DEPTH} levels deep",
        f"at most {limits.REPORT_PAGE_MAX_BYTES // 2**20} MiB",
        f"{limits.REFRESH_ATTEMPTS} attempts per page",
        f"backoff from {limits.REFRESH_BACKOFF_SECONDS:g} s doubling up to "
        f"{limits.REFRESH_BACKOFF_MAX_SECONDS:g} s",
        f"{limits.REFRESH_DEADLINE_SECONDS:g} s for the whole refresh",
        f"`predicts` {limits.FREE_TEXT_MAX_CHARS} characters",
        f"`reason` 10 to {limits.REASON_MAX_CHARS:,}",
        f"`alert_email` {limits.EMAIL_MAX_CHARS}",
        f"at most {limits.SUPPRESSIONS_MAX} entries",
        f"from 0 to {limits.REFRESH_PRICE_MAX_USD:,}",
    ]
    missing = [text for text in expected if text not in DOC]
    assert missing == []


def test_every_field_bound_is_documented():
    rows = {
        "`data.size_gb`": f"<= {models.MAX_SIZE_GB:,}",
        "`data.rows`": "1 .. 10^15" if models.MAX_ROWS == 10**15 else "?",
        "`data.columns`": f"1 .. {models.MAX_COLUMNS:,}",
        "`training.max_hours`": f"<= {models.MAX_HOURS}",
        "`training.runs_per_month`": f"1 .. {models.MAX_RUNS_PER_MONTH:,}",
        "`training.concurrent_trials`": f"1 .. {models.MAX_TRIALS:,}",
        "`training.nodes`": f"1 .. {models.MAX_NODES:,}",
        "`constraints.monthly_budget_usd`": f"<= {models.MAX_BUDGET_USD:,}",
        "`deploy.requests_per_month`": "0 .. 10^12" if models.MAX_REQUESTS_PER_MONTH == 10**12
        else "?",
    }
    for field, bound in rows.items():
        line = next((row for row in DOC.splitlines() if row.startswith(f"| {field} |")), "")
        assert bound in line, (field, bound, line)
