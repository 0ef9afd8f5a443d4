"""Azure AI services: one cognitive account per selected kind.

Each account has a custom subdomain (Entra ID authentication and private
endpoints need one), a system-assigned identity and local (key)
authentication off; a private profile turns public network access off and
denies by default.
"""

from __future__ import annotations

from trainstack import arm
from trainstack.constructs import resources as r
from trainstack.constructs.base import StackBuilder
from trainstack.select.models import AiServiceChoice


def add_ai_services(b: StackBuilder, choices: tuple[AiServiceChoice, ...]) -> None:
    """One cognitive account per selected kind, with diagnostics and its endpoint as output."""
    for choice in choices:
        local = choice.kind.lower().replace(".", "_")
        name = b.names.ai_account(choice.kind, b.profile.name, b.profile.environment)
        account = r.CognitiveAccount(
            local_name=local, name=name, kind=choice.kind, sku_name=choice.sku,
            custom_subdomain_name=name, identity=r.Identity(),
            public_network_access_enabled=not b.private,
            network_acls=r.CognitiveNetworkAcls(
                default_action="Deny",
                # only some kinds accept it; the others fail the plan (trainstack/arm.py)
                bypass="AzureServices" if choice.kind in arm.BYPASS_KINDS else None)
            if b.private else None,
            **b.common,
        )
        b.add(account)
        if b.private:
            b.private_endpoints(account)
        _callers(b, local, account, choice.kind)
        b.output(f"{local}_endpoint", account.ref("endpoint"), f"{choice.kind} endpoint")


# The data role a caller needs with keys off (Learn, "Authenticate requests to Azure AI
# services", Microsoft Entra ID; "Role-based access control for Azure OpenAI"): Cognitive
# Services User calls any kind; for OpenAI, Cognitive Services OpenAI User is the narrower
# role that makes inference calls.
CALLER_ROLES = {"OpenAI": "Cognitive Services OpenAI User"}
CALLER_ROLE = "Cognitive Services User"


def _callers(b: StackBuilder, local: str, account: r.CognitiveAccount, kind: str) -> None:
    """``deploy.callers`` get the account's data role; principals of any kind (a group, an
    application), so no principal type: Azure looks each up (common.RoleAssignment)."""
    role = CALLER_ROLES.get(kind, CALLER_ROLE)
    for i, caller in enumerate(b.profile.deploy.callers):
        b.add(r.RoleAssignment(
            local_name=f"{local}_caller_{i}", scope=account.ref(), role_definition_name=role,
            principal_id=caller, principal_type=None,
            description=f"deploy.callers[{i}] calls the {kind} account with Entra ID"))
