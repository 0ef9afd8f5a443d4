"""The pytest fixture ``azure``: a ``fake_azure()`` with the process signed in to it.

In a conftest.py: ``pytest_plugins = ["trainstack.testing.fixture"]`` (or import ``azure``
into a test module). The fixture sets AZURE_TENANT_ID, AZURE_CLIENT_ID,
AZURE_CLIENT_SECRET and AZURE_SUBSCRIPTION_ID to the fake's service principal and
subscription for the test, so ``DefaultAzureCredential`` signs in through the real
EnvironmentCredential, and yields the FakeAzure to seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trainstack.testing import FakeAzure, fake_azure


@pytest.fixture
def azure(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAzure]:
    """A fake Azure, signed in to (see the module docstring)."""
    with fake_azure() as fake:
        monkeypatch.setenv("AZURE_TENANT_ID", fake.tenant_id)
        monkeypatch.setenv("AZURE_CLIENT_ID", fake.client_id)
        monkeypatch.setenv("AZURE_CLIENT_SECRET", fake.client_secret)
        monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", fake.subscription_id)
        yield fake
