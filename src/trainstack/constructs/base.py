"""What every stack shares: names, tags, resource group, logs, providers, state.

``StackBuilder`` collects elements, outputs and providers for one profile; the
per-service modules add to it; ``build()`` returns the plain StackSpec the
engine renders. Every service module takes the same builder, the same way the
Azure Verified Modules share one interface for tags, identity and diagnostics.
"""

from __future__ import annotations

from trainstack import arm
from trainstack.alerts import Alert
from trainstack.constructs import resources as r
from trainstack.constructs.literal import Joined
from trainstack.constructs.spec import (
    AZAPI,
    AZURERM,
    DATABRICKS,
    BackendSpec,
    OutputSpec,
    ProviderSpec,
    StackSpec,
)
from trainstack.naming import Names, names_for
from trainstack.profile.models import WorkloadProfile
from trainstack.select.cost import LOG_RETENTION_DAYS
from trainstack.select.models import Selection
from trainstack.settings import Settings


def tags_for(profile: WorkloadProfile) -> dict[str, str]:
    """The tags every taggable resource gets."""
    return {
        "environment": profile.environment,
        "managed-by": "trainstack",
        "workload": profile.name,
    }


VNET_SPACE = "10.139.0.0/16"  # the stack's own network (a private profile's, Databricks')
ENDPOINT_SUBNET = "10.139.8.0/24"
STATE_DIR = ".trainstack/state"  # beside the output folder (see backend_for)


def backend_for(stack_name: str, environment: str, settings: Settings) -> BackendSpec:
    """The Terraform state backend of a stack (local, or azurerm with Entra ID auth).

    Each environment has its own state: dev and prod of one profile never share it. Local
    state lives outside the synthesized output, in ``.trainstack/state/<env>/`` of the
    folder that holds the output folder (the project folder for the default
    ``cdktf.out``; cdktf puts its local state in the same place): deleting or
    re-synthesizing the output never touches it. The path is relative to the stack's
    folder, ``<out>/stacks/<stack>/``, where terraform runs, and terraform creates its
    folders on the first write."""
    state = settings.state
    if state.kind == "azurerm":
        return BackendSpec(
            kind="azurerm",
            config={
                "resource_group_name": state.resource_group_name,
                "storage_account_name": state.storage_account_name,
                "container_name": state.container_name,
                "key": f"{environment}/{stack_name}.tfstate",
                "use_azuread_auth": True,  # Entra ID, not storage account keys
            },
        )
    # Relative, so the synthesized JSON does not depend on where it was written.
    return BackendSpec(kind="local", config={
        "path": f"../../../{STATE_DIR}/{environment}/{stack_name}.tfstate"})


def disposable(environment: str) -> bool:
    """Whether an environment's stacks are destroyed and applied again freely (dev, test) or
    kept safe from deletion (prod)."""
    return environment != "prod"


def destroy_features(environment: str) -> dict:
    """The azurerm ``features`` that decide what ``terraform destroy`` leaves behind
    (internal/features/defaults.go and the Delete function of each resource, v5.2.0).

    dev/test destroy cleanly, so the same names apply again at once:
    - the resource group is deleted even when it holds resources terraform does not manage:
      Azure creates a "Failure Anomalies" alert rule beside every Application Insights
      component, and with the default (true) it blocks the group's deletion
      (resource_group_resource.go; hashicorp/terraform-provider-azurerm#18026);
    - the Azure ML workspace is purged, not soft-deleted: a soft-deleted workspace holds its
      name for 14 days and azurerm cannot recover it
      (machine_learning_workspace_resource.go; learn.microsoft.com/azure/machine-learning/
      concept-soft-delete);
    - Log Analytics workspaces and AI services accounts are deleted for good, not kept
      14 days / 48 hours holding their names (learn.microsoft.com/azure/azure-monitor/logs/
      delete-workspace; learn.microsoft.com/azure/ai-services/recover-purge-resources).
    prod keeps every protection: destroying it takes deliberate steps.

    Key vaults keep purge protection everywhere (TS-SEC-004), which no setting can purge;
    a vault that comes back on re-create (recover_soft_deleted_key_vaults) keeps its name
    usable, and dev/test vaults are retained 7 days instead of 90 (see aml.py).
    """
    keep = not disposable(environment)
    return {
        "cognitive_account": [{"purge_soft_delete_on_destroy": not keep}],
        "key_vault": [{"purge_soft_delete_on_destroy": False,
                       "recover_soft_deleted_key_vaults": True}],
        "log_analytics_workspace": [{"permanently_delete_on_destroy": not keep}],
        "machine_learning": [{"purge_soft_deleted_workspace_on_destroy": not keep}],
        "resource_group": [{"prevent_deletion_if_contains_resources": keep}],
    }


def group_and_name(resource_id: str) -> tuple[str, str]:
    """The resource group and the name in a resource id (/subscriptions/../resourceGroups/
    <group>/providers/<namespace>/<type>/<name>)."""
    parts = resource_id.split("/")
    return parts[parts.index("resourceGroups") + 1], parts[-1]


def iso_minutes(minutes: int) -> str:
    """An ISO 8601 duration of whole minutes (PT15M)."""
    return f"PT{minutes}M"


class StackBuilder:
    """Accumulates one profile's stack; service modules call ``add`` and friends."""

    def __init__(self, profile: WorkloadProfile, selection: Selection, settings: Settings) -> None:
        self.profile = profile
        self.selection = selection
        self.settings = settings
        self.region = selection.region
        self.private = profile.constraints.network == "private"
        training = selection.training()
        accelerator = training.accelerator if training else "cpu"
        self.names: Names = names_for(profile.name, profile.environment, self.region,
                                      accelerator, settings.name_salt)
        self.tags = tags_for(profile)
        self.client = r.ClientConfig(local_name="current")
        self.rg = r.ResourceGroup(local_name="rg", name=self.names.resource_group,
                                  location=self.region, tags=self.tags)
        self.elements: list[r.Element] = [self.client, self.rg]
        self.outputs: dict[str, OutputSpec] = {
            "resource_group_name": OutputSpec(self.rg.ref("name"),
                                              "Resource group of the workload"),
        }
        self._providers: dict[str, ProviderSpec] = {}
        self._logs: r.LogAnalyticsWorkspace | None = None  # made on first use
        self._vnet: r.VirtualNetwork | None = None
        self._endpoints: r.Subnet | None = None
        self._zones: dict[str, r.PrivateDnsZone] = {}
        self.features: dict = {}
        # set by the training part when Azure ML trains; other parts attach to it
        self.aml_workspace: r.MachineLearningWorkspace | r.AzapiResourceData | None = None
        self.aml_storage: r.StorageAccount | r.Known | None = None
        # the team's mail for alerts (step 6), made by the training part when asked for
        self.action_group: r.ActionGroup | None = None

    @property
    def common(self) -> dict:
        """resource_group_name, location and tags, as most resources take them."""
        return {"resource_group_name": self.rg.ref("name"), "location": self.region,
                "tags": self.tags}

    def add(self, *elements: r.Element) -> None:
        """Add resources or data sources to the stack, in this order."""
        self.elements.extend(elements)

    def require_aml_workspace(self) -> r.MachineLearningWorkspace | r.AzapiResourceData:
        """The Azure ML workspace the training part made; a part that attaches to one
        (data preparation, development) runs only for Azure ML selections."""
        if self.aml_workspace is None:
            raise ValueError(f"{self.profile.name}: this part needs the Azure ML workspace, "
                             f"but {self.selection.service} trains")
        return self.aml_workspace

    def output(self, name: str, value: r.Ref, description: str) -> None:
        """A stack output."""
        self.outputs[name] = OutputSpec(value, description)

    def use_azapi(self) -> None:
        """Require the azapi provider (for actions azurerm lacks)."""
        self._providers.setdefault("azapi", ProviderSpec("azapi", *AZAPI))

    def use_databricks(self, workspace: r.DatabricksWorkspace | r.DatabricksWorkspaceData
                       ) -> None:
        """Configure the databricks provider for this workspace."""
        self._providers["databricks"] = ProviderSpec("databricks", *DATABRICKS, config={
            "host": workspace.ref("workspace_url"),
            "azure_workspace_resource_id": workspace.ref(),
        })

    def logs(self) -> r.LogAnalyticsWorkspace | r.Known:
        """The stack's Log Analytics workspace, created on first use; or the existing one
        the profile names."""
        if self.profile.existing.log_analytics_workspace_id:
            return r.Known(self.profile.existing.log_analytics_workspace_id)
        if self._logs is None:
            self._logs = r.LogAnalyticsWorkspace(
                local_name="logs", name=self.names.log_analytics,
                retention_in_days=LOG_RETENTION_DAYS[self.profile.environment == "prod"],
                **self.common,
            )
            self.add(self._logs)
        return self._logs

    def diagnostics(self, local: str, name: str, target: str,
                    kinds: tuple[str | tuple[str, ...] | None, str | None]) -> None:
        """A resource's logs and metrics (``kinds``: arm.DIAGNOSTICS) to the stack's Log
        Analytics workspace."""
        logs, metric = kinds
        self.add(r.DiagnosticSetting(
            local_name=local, name=f"diag-{name}", target_resource_id=target,
            log_analytics_workspace_id=self.logs().ref(),
            enabled_log=(r.EnabledLog(category_group=logs),) if isinstance(logs, str)
            else tuple(r.EnabledLog(category=c) for c in logs) if logs else None,
            enabled_metric=(r.EnabledMetric(category=metric),) if metric else None,
        ))

    def _diagnose_all(self) -> None:
        """Step 6: a diagnostic setting for every resource whose type sends logs or metrics
        (arm.DIAGNOSTICS), and for the blob service of every storage account."""
        self.logs()  # where they go, itself among them
        for e in list(self.elements):
            kinds = arm.DIAGNOSTICS.get(e.terraform_type)
            if e.is_data or kinds is None:
                continue
            name = getattr(e, "name", e.local_name)
            self.diagnostics(f"{e.local_name}_diagnostics", name, e.ref(), kinds)
            if isinstance(e, r.StorageAccount):
                self.diagnostics(f"{e.local_name}_blob_diagnostics", f"{name}-blob",
                                 Joined(e.ref(), arm.BLOB_SERVICE), arm.BLOB_SERVICE_DIAGNOSTICS)

    def metric_alert(self, alert: Alert, namespace: str, scope: str) -> None:
        """One metric alert (trainstack/alerts.py) on ``scope`` to the team's action group."""
        assert self.action_group is not None, "alerts go to the action group"
        profile = self.profile
        self.add(r.MetricAlert(
            local_name=alert.local,
            name=f"alert-{profile.name}-{profile.environment}-{alert.suffix}",
            resource_group_name=self.rg.ref("name"), scopes=(scope,), description=alert.what,
            severity=2, frequency="PT15M", window_size="PT1H",
            criteria=(r.MetricCriteria(
                metric_namespace=namespace, metric_name=alert.metric,
                aggregation=alert.aggregation, operator=alert.operator,
                threshold=alert.threshold,
                dimension=(r.MetricDimension(name=alert.dimension[0],
                                             values=(alert.dimension[1],)),)
                if alert.dimension else None),),
            action=(r.AlertAction(action_group_id=self.action_group.ref()),), tags=self.tags,
        ))

    def in_shared_workspace(self, name: str, sep: str = "-") -> str:
        """A name unique within the Azure ML workspace: in an existing (shared) workspace it
        carries the stack's suffix, so two profiles' clusters and datastores do not meet."""
        return f"{name}{sep}{self.names.suffix}" if self.profile.existing.aml_workspace_id \
            else name

    def role(self, local: str, scope: r.Element | r.Known, role: str, principal: str,
             why: str) -> None:
        """A role assignment of ``role`` on ``scope`` to an identity, with the reason."""
        self.add(r.RoleAssignment(local_name=local, scope=scope.ref(), role_definition_name=role,
                                  principal_id=principal, description=why))

    def vnet(self) -> r.VirtualNetwork:
        """The stack's virtual network, made on first use (Databricks' injected subnets, the
        endpoint subnet unless the profile names an existing one)."""
        if self._vnet is None:
            self._vnet = r.VirtualNetwork(
                local_name="vnet", name=f"vnet-{self.profile.name}-{self.profile.environment}",
                address_space=(VNET_SPACE,), **self.common)
            self.add(self._vnet)
        return self._vnet

    def _endpoint_subnet(self) -> str:
        """The id of the subnet private endpoints go in: the profile's existing one, or the
        stack network's endpoint subnet, made on first use."""
        existing = self.profile.constraints.existing_network
        if existing is not None and existing.subnet_id:
            return existing.subnet_id  # validated as a subnet id; written literally
        if self._endpoints is None:
            vnet = self.vnet()
            self._endpoints = r.Subnet(local_name="endpoints", name="snet-pep",
                                       resource_group_name=self.rg.ref("name"),
                                       virtual_network_name=vnet.ref("name"),
                                       address_prefixes=(ENDPOINT_SUBNET,))
            # every subnet has a network security group (checkov CKV2_AZURE_31): its
            # default rules; endpoints enforce it once their network policies are on
            nsg = r.NetworkSecurityGroup(
                local_name="endpoints_nsg",
                name=f"nsg-{self.profile.name}-{self.profile.environment}-pep", **self.common)
            link = r.SubnetNsgAssociation(local_name="endpoints_nsg_link",
                                          subnet_id=self._endpoints.ref(),
                                          network_security_group_id=nsg.ref())
            self.add(self._endpoints, nsg, link)
        return self._endpoints.ref()

    def _zone_id(self, zone: str) -> str:
        """The id of the private DNS zone of that name: the profile's existing one (the hub's,
        linked by its owner), or the stack's, made once (one resource group holds one zone of
        a name, shared by every endpoint that needs it) and linked to the network the
        endpoints are in."""
        existing = self.profile.constraints.existing_network
        if existing is not None and zone in existing.private_dns_zone_ids:
            return existing.private_dns_zone_ids[zone]
        if zone not in self._zones:
            if existing is not None and existing.subnet_id:
                vnet_id = existing.subnet_id.rsplit("/subnets/", 1)[0]
                vnet_name = vnet_id.rsplit("/", 1)[1]
            else:
                vnet = self.vnet()
                vnet_id, vnet_name = vnet.ref(), vnet.name
            local = "dns_" + zone.removeprefix("privatelink.").replace(".", "_")
            dns = r.PrivateDnsZone(local_name=local, name=zone,
                                   resource_group_name=self.rg.ref("name"), tags=self.tags)
            link = r.PrivateDnsZoneLink(local_name=f"{local}_link", name=vnet_name,
                                        private_dns_zone_id=dns.ref(),
                                        virtual_network_id=vnet_id, tags=self.tags)
            self.add(dns, link)
            self._zones[zone] = dns
        return self._zones[zone].ref()

    def private_endpoint(self, target: r.AzureResource, subresource: str,
                         zones: tuple[str, ...]) -> None:
        """A private endpoint for one sub-resource of ``target`` in the endpoint subnet, with
        its DNS zone group, so the name resolves to the private address inside the network
        (the zones: learn.microsoft.com/azure/private-link/private-endpoint-dns)."""
        local = f"{target.local_name}_{subresource.lower()}"
        self.add(r.PrivateEndpoint(
            local_name=local, name=f"pep-{target.name}-{subresource.lower()}",
            subnet_id=self._endpoint_subnet(),
            private_service_connection=r.PrivateServiceConnection(
                name=subresource.lower().replace("_", "-"),
                private_connection_resource_id=target.ref(), subresource_names=(subresource,)),
            private_dns_zone_group=r.PrivateDnsZoneGroup(
                name=local, private_dns_zone_ids=tuple(self._zone_id(z) for z in zones)),
            **self.common,
        ))

    def private_endpoints(self, target: r.AzureResource, *extra: tuple[str, tuple[str, ...]],
                          hierarchical: bool = False) -> None:
        """Every private endpoint a closed resource of ``target``'s type needs
        (trainstack/arm.py), and ``extra`` ones."""
        for subresource, zones in (*arm.private_link(target.terraform_type,
                                                     hierarchical=hierarchical), *extra):
            self.private_endpoint(target, subresource, zones)

    def build(self) -> StackSpec:
        """The StackSpec: providers (azurerm features per profile), elements with their
        diagnostic settings, backend, outputs, metadata."""
        self._diagnose_all()
        features = {**destroy_features(self.profile.environment), **self.features}
        if self.private:
            # With public access off the runner cannot reach the storage data plane.
            features["storage"] = [{"data_plane_available": False}]
        source, pin = AZURERM
        # a mirror may hold another version (TRAINSTACK_AZURERM_VERSION; docs/guide.md)
        providers = [ProviderSpec("azurerm", source, self.settings.azurerm_version or pin, config={
            "features": [features], "storage_use_azuread": True,
            # azurerm 5.x registers nothing by default: exactly what these resources need
            # (trainstack/arm.py has the sources)
            arm.REGISTRATION_SETTING: "none",
            arm.EXTRA_SETTING: list(arm.namespaces_for(e.terraform_type for e in self.elements
                                                       if not e.is_data)),
        })]
        providers += [self._providers[k] for k in sorted(self._providers)]
        return StackSpec(
            name=self.profile.name,
            providers=tuple(providers),
            elements=tuple(self.elements),
            backend=backend_for(self.profile.name, self.profile.environment, self.settings),
            outputs=self.outputs,
            metadata=stack_metadata(self.profile, self.selection, [
                (e.terraform_type, e.local_name) for e in self.elements if not e.is_data]),
        )


def stack_metadata(profile: WorkloadProfile, selection: Selection,
                   resources: list[tuple[str, str]] = ()) -> dict:  # type: ignore[assignment]
    """What validation needs from the profile and selection, carried in the JSON: the
    suppressions are the profile's own, then those of the presets it accepts, for the
    stack's ``resources`` ((type, local name) pairs)."""
    from trainstack import acceptances

    return {
        "profile": profile.name,
        "environment": profile.environment,
        "service": selection.service,
        "region": selection.region,
        "network": profile.constraints.network,
        "estimated_monthly_usd": selection.estimated_monthly_usd,
        # "none", not null: the engine drops nulls, and a missing field must stay a finding
        "monthly_budget_usd": profile.constraints.monthly_budget_usd or "none",
        "suppressions": [s.model_dump(exclude_none=True) for s in profile.suppressions]
        + acceptances.suppressions(list(profile.accept), list(resources)),
    }
