"""The workload profile (``apiVersion: trainstack/v1``) as frozen pydantic values.

Field names and allowed values are a public contract (docs/profile-v1.md): add
fields freely, never rename or remove one without a new apiVersion.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from trainstack.acceptances import PRESETS
from trainstack.limits import (
    EMAIL_MAX_CHARS,
    FREE_TEXT_MAX_CHARS,
    REASON_MAX_CHARS,
    SUPPRESSIONS_MAX,
)
from trainstack.profile.existing import GUID, DataLocation, Existing, ExistingNetwork
from trainstack.profile.section import Section as _Section
from trainstack.regions import AZURE_REGIONS

Task = Literal[
    "classification", "regression", "forecasting", "clustering", "anomaly-detection",
    "recommendation", "image-classification", "object-detection", "image-segmentation",
    "text-classification", "sentiment-analysis", "named-entity-recognition", "translation",
    "speech-to-text", "ocr", "document-extraction", "text-generation",
]
Modality = Literal["tabular", "image", "text", "audio", "timeseries", "document"]
DataSource = Literal["blob", "adls", "sql", "databricks", "synapse", "local"]
Framework = Literal[
    "sklearn", "xgboost", "lightgbm", "pytorch", "tensorflow", "transformers",
    "spark-mllib", "automl",
]
TeamPreference = Literal["ui", "python-sdk", "cli", "notebooks", "sql", "scala", "full-control"]
Service = Literal["azure-ml", "databricks", "synapse", "ai-services"]

NAME_PATTERN = r"^[a-z][a-z0-9-]*[a-z0-9]$"
# trainstack validation rules (TS-SEC-001) and checkov checks (CKV_AZURE_144, CKV2_AZURE_1)
RULE_ID_PATTERN = r"^(TS-[A-Z]+-[0-9]{3}|CKV2?_[A-Z0-9]+_[0-9]+)$"
# RFC 5322 dot-atom local part (which allows $ { } %: the stack writes them literally)
# at a DNS domain name of two or more labels.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.-]+@{_LABEL}(?:\.{_LABEL})+$"
ADDRESS_PATTERN = r"^(data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$"

# Bounds on numbers: what Azure can mean, with the source of each.
MAX_HOURS = 504  # 21 days: an Azure ML job's lifetime (learn.microsoft.com/azure/
#                  machine-learning/how-to-manage-quotas, "Job lifetime")
MAX_TRIALS = 1000  # sweep jobs take 1-1000 concurrent trials (how-to-tune-hyperparameters)
MAX_NODES = 1000  # per cluster: 100 by default, configurable far higher (how-to-manage-quotas)
# 5 PiB, a standard storage account's maximum capacity, in GB (learn.microsoft.com/azure/
# storage/common/scalability-targets-standard-account)
MAX_SIZE_GB = 5_629_499
MAX_ROWS = 10**15  # more rows than a 5 PiB account holds at five bytes a row
MAX_COLUMNS = 1_000_000
MAX_RUNS_PER_MONTH = 44_640  # one run a minute for 31 days
MAX_BUDGET_USD = 100_000_000
MAX_REQUESTS_PER_MONTH = 10**12
MAX_METRIC_TARGET = 1e12
MAX_INSTANCES = 50  # per deployment (Learn, how-to-manage-quotas, "Azure Machine Learning
#                     online endpoints and batch endpoints")
HOURS_PER_MONTH = 744  # 31 days

# What the CDK engine reads as its own token inside any string ("${TfToken[TOKEN.1]}",
# cdktf lib/tokens/private/encoding.js); such text cannot pass through it literally.
CDK_TOKEN_MARKER = "{TfToken["


# Control characters (Unicode category Cc: C0, DEL, C1), lone surrogates (Cs) and the
# bidirectional marks, overrides and isolates; tab and newline are fine in free text.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069\ud800-\udfff]")


def _plain_text(value: str) -> str:
    """Free text: no control characters (tab and newline aside), no lone surrogates,
    no bidirectional overrides, no CDK token markers. ``${`` and ``%{`` are fine:
    the stack writes every profile string literally (constructs/literal.py)."""
    bad = _UNSAFE_TEXT.search(value)
    if bad is not None:
        raise PydanticCustomError(
            "text_characters", "must not contain control characters (U+{code} at "
            "character {at})", {"code": f"{ord(bad.group()):04X}", "at": bad.start() + 1})
    if CDK_TOKEN_MARKER in value:
        raise PydanticCustomError(
            "text_token", "must not contain '{marker}': the CDK engine would read it as one "
            "of its own tokens", {"marker": CDK_TOKEN_MARKER})
    return value


def free_text(max_length: int, min_length: int = 1, description: str | None = None):
    """A string field of plain text (see ``_plain_text``)."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length,
                                description=description),
                     AfterValidator(_plain_text)]


Number = Annotated[float, Field(allow_inf_nan=False)]


def _email(value: str) -> str:
    if not re.match(EMAIL_PATTERN, value):
        raise PydanticCustomError("email", "must be an email address, like ml-team@example.com")
    return value


Email = Annotated[str, Field(max_length=EMAIL_MAX_CHARS), AfterValidator(_plain_text),
                  AfterValidator(_email)]




class Success(_Section):
    metric: free_text(64, description="e.g. auc, rmse, accuracy")  # type: ignore[valid-type]
    target: Number = Field(ge=-MAX_METRIC_TARGET, le=MAX_METRIC_TARGET)


class Problem(_Section):
    """Step 1: define the problem."""

    predicts: free_text(  # type: ignore[valid-type]
        FREE_TEXT_MAX_CHARS, description="What the model predicts, in plain words.")
    task: Task
    success: Success | None = None
    output: Literal["realtime", "batch", "none"] = "batch"
    prebuilt_ok: bool = Field(
        default=False, description="A prebuilt Azure AI model would do for this task."
    )
    custom_labels: bool = Field(
        default=False,
        description="Image classification / object detection with your own labels "
                    "(Custom Vision) rather than prebuilt classes (Azure AI Vision).",
    )


class Data(_Section):
    """Steps 2 and 3: get and prepare the data."""

    modality: Modality = "tabular"
    size_gb: Number = Field(gt=0, le=MAX_SIZE_GB,
                            description="On-disk size of the training data in GB.")
    rows: int | None = Field(default=None, gt=0, le=MAX_ROWS)
    columns: int | None = Field(default=None, gt=0, le=MAX_COLUMNS)
    source: DataSource = "blob"
    location: DataLocation | None = Field(default=None, description=(
        "An existing container with the data; without it the stack makes a training-data "
        "container in the workspace's storage."))
    needs_distributed_prep: bool = Field(
        default=False, description="Data preparation needs a Spark cluster."
    )


class Training(_Section):
    """Step 4: train."""

    framework: Framework = "automl"
    max_hours: Number = Field(default=2, gt=0, le=MAX_HOURS,
                              description="Wall time of one training run.")
    runs_per_month: int = Field(default=20, ge=1, le=MAX_RUNS_PER_MONTH,
                                description="Training runs per month.")
    concurrent_trials: int = Field(default=1, ge=1, le=MAX_TRIALS)
    distributed: bool = Field(default=False, description="Multi-node training.")
    nodes: int | None = Field(
        default=None, ge=1, le=MAX_NODES,
        description="Nodes per distributed run (default 2 when distributed, else 1).",
    )
    model_size: Literal["small", "medium", "large"] | None = Field(
        default=None,
        description=(
            "Size of the model trained on GPU: small (fits a 16 GB GPU, fine-tuning), "
            "medium (needs a 40-80 GB GPU), large (several large GPUs). Default: large "
            "for text-generation, small otherwise."
        ),
    )

    @model_validator(mode="after")
    def _nodes_need_distributed(self) -> Training:
        if self.nodes is not None and self.nodes > 1 and not self.distributed:
            raise ValueError("nodes > 1 needs distributed: true")
        return self

    @property
    def nodes_per_run(self) -> int:
        """Nodes one run uses (1 unless distributed)."""
        if self.nodes is not None:
            return self.nodes
        return 2 if self.distributed else 1


class Team(_Section):
    prefers: list[TeamPreference] = Field(default_factory=list, max_length=16)
    existing_platform: Literal["none", "databricks", "synapse"] = "none"
    ml_expertise: Literal["none", "low", "high"] = "high"


class Constraints(_Section):
    monthly_budget_usd: Number | None = Field(default=None, gt=0, le=MAX_BUDGET_USD)
    network: Literal["public", "private"] = "public"
    existing_network: ExistingNetwork | None = None
    allow_low_priority: bool = Field(
        default=True, description="Restartable jobs may use low-priority VMs."
    )
    free_tier: bool = Field(
        default=False, description="A free prototype: Azure AI services on the F0 tier."
    )
    storage_shared_keys: bool = Field(default=True, description=(
        "false: a new Azure ML workspace's storage takes Entra ID only (shared keys off, "
        "identity-based system datastores; an Azure ML preview)."))

    @model_validator(mode="after")
    def _existing_network_is_private(self) -> Constraints:
        if self.existing_network is not None and self.network != "private":
            raise ValueError("existing_network needs network: private")
        return self


OBJECT_ID_PATTERN = rf"^{GUID}$"
MAX_CALLERS = 16


class Deploy(_Section):
    """Step 5: integrate."""

    endpoint: Literal["online", "batch", "none"] = "none"
    requests_per_month: int | None = Field(
        default=None, ge=0, le=MAX_REQUESTS_PER_MONTH,
        description="Expected calls per month, for usage-priced services."
    )
    instances: int | None = Field(default=None, ge=1, le=MAX_INSTANCES, description=(
        "Online: the deployment's instances (default 3 in prod, else 1); batch: the scoring "
        "cluster's maximum nodes (default 2 in prod, else 1)."))
    batch_hours_per_month: Number = Field(default=30, ge=0, le=HOURS_PER_MONTH, description=(
        "Node-hours the batch endpoint's cluster scores per month, for the estimate."))
    callers: list[Annotated[str, Field(pattern=OBJECT_ID_PATTERN)]] = Field(
        default_factory=list, max_length=MAX_CALLERS, description=(
            "Entra object ids (a group, an application's service principal, a managed "
            "identity, a person) that call the deployed services: each gets the data role "
            "on every Azure AI services account of the stack (keys are off)."))

    @model_validator(mode="after")
    def _callers_once(self) -> Deploy:
        lowered = [c.lower() for c in self.callers]
        if len(set(lowered)) != len(lowered):
            raise ValueError("callers: each object id once")
        return self


class Monitor(_Section):
    """Step 6: monitor."""

    alert_email: Email | None = Field(default=None, json_schema_extra={"pattern": EMAIL_PATTERN})
    data_drift: bool = False


def _known_region(value: str) -> str:
    if value not in AZURE_REGIONS:
        raise PydanticCustomError(
            "unknown_value", "must be an Azure region name", {"allowed": sorted(AZURE_REGIONS)}
        )
    return value


AzureRegion = Annotated[
    str,
    AfterValidator(_known_region),
    Field(json_schema_extra={"enum": sorted(AZURE_REGIONS)}),
]


class Overrides(_Section):
    """Explicit pins: each wins over the selector and is reported."""

    service: Service | None = None
    training_vm_size: str | None = Field(default=None, pattern=r"^Standard_[A-Za-z0-9_]+$")
    region: AzureRegion | None = None


# Findings about validation itself (missing metadata, a crashed rule) cannot be accepted.
UNSUPPRESSIBLE_PREFIXES = ("TS-META-", "TS-ENGINE-")


def _suppressible(rule: str) -> str:
    if rule.startswith(UNSUPPRESSIBLE_PREFIXES):
        raise PydanticCustomError(
            "unsuppressible", "{rule} cannot be suppressed: it reports that validation itself "
            "could not run as it should", {"rule": rule})
    return rule


class Suppression(_Section):
    rule: Annotated[str, AfterValidator(_suppressible)] = Field(
        pattern=RULE_ID_PATTERN,
        description="A validation rule id (TS-SEC-001) or checkov check id.")
    resource: str | None = Field(
        default=None, pattern=ADDRESS_PATTERN, max_length=256,
        description="One resource address, e.g. azurerm_key_vault.kv.",
    )
    reason: free_text(  # type: ignore[valid-type]
        REASON_MAX_CHARS, min_length=10, description="Why the finding is accepted.")


AcceptName = Literal[tuple(PRESETS)]  # type: ignore[valid-type]


class WorkloadProfile(_Section):
    """A workload described once, in the six steps of building a model."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", strict=True, populate_by_name=True,
        title="trainstack WorkloadProfile v1",
    )

    api_version: Literal["trainstack/v1"] = Field(alias="apiVersion")
    kind: Literal["WorkloadProfile"]
    name: str = Field(min_length=3, max_length=20, pattern=NAME_PATTERN)
    environment: Literal["dev", "test", "prod"] = "dev"
    region: AzureRegion
    problem: Problem
    data: Data
    training: Training = Field(default_factory=Training)
    team: Team = Field(default_factory=Team)
    constraints: Constraints = Field(default_factory=Constraints)
    deploy: Deploy = Field(default_factory=Deploy)
    monitor: Monitor = Field(default_factory=Monitor)
    existing: Existing = Field(default_factory=Existing)
    overrides: Overrides = Field(default_factory=Overrides)
    suppressions: list[Suppression] = Field(default_factory=list, max_length=SUPPRESSIONS_MAX)
    accept: list[AcceptName] = Field(
        default_factory=list, max_length=len(PRESETS),
        description="Named, reasoned acceptances of validation findings (trainstack/"
                    "acceptances.py, docs/validation.md): public-network, "
                    "platform-managed-keys, azure-ml-defaults, single-region, no-queues, "
                    "basic-registry, spark-only-synapse.")

    @model_validator(mode="after")
    def _accepted_presets_fit(self) -> WorkloadProfile:
        for name in self.accept:
            preset = PRESETS[name]
            if preset.network and self.constraints.network != preset.network:
                raise ValueError(f"accept: {name} fits network: {preset.network} profiles only")
            if preset.not_environment == self.environment:
                raise ValueError(f"accept: {name} does not fit environment: {self.environment}")
        return self

    @model_validator(mode="after")
    def _existing_platform_named(self) -> WorkloadProfile:
        for platform in ("databricks", "synapse"):
            if getattr(self.existing, f"{platform}_workspace_id") and \
                    self.team.existing_platform != platform:
                raise ValueError(f"existing.{platform}_workspace_id needs team.existing_platform: "
                                 f"{platform}")
        return self

    @property
    def target_region(self) -> str:
        """The region resources go to: ``overrides.region`` wins."""
        return self.overrides.region or self.region
