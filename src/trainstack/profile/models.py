"""The workload profile (``apiVersion: trainstack/v1``) as frozen pydantic values.

Field names and allowed values are a public contract (docs/profile-v1.md): add
fields freely, never rename or remove one without a new apiVersion.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

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
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class _Section(BaseModel):
    # strict: YAML already types its scalars, so "12" for a number is a mistake
    # to report, not to coerce. extra=forbid: a misspelt key is an error.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Success(_Section):
    metric: str = Field(min_length=1, description="e.g. auc, rmse, accuracy")
    target: float


class Problem(_Section):
    """Step 1: define the problem."""

    predicts: str = Field(min_length=1, description="What the model predicts, in plain words.")
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
    size_gb: float = Field(gt=0, description="On-disk size of the training data in GB.")
    rows: int | None = Field(default=None, gt=0)
    columns: int | None = Field(default=None, gt=0)
    source: DataSource = "blob"
    needs_distributed_prep: bool = Field(
        default=False, description="Data preparation needs a Spark cluster."
    )


class Training(_Section):
    """Step 4: train."""

    framework: Framework = "automl"
    max_hours: float = Field(default=2, gt=0, description="Wall time of one training run.")
    runs_per_month: int = Field(default=20, ge=1, description="Training runs per month.")
    concurrent_trials: int = Field(default=1, ge=1, le=1000)
    distributed: bool = Field(default=False, description="Multi-node training.")
    nodes: int | None = Field(
        default=None, ge=1, le=1000,
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
        if self.nodes is not None:
            return self.nodes
        return 2 if self.distributed else 1


class Team(_Section):
    prefers: list[TeamPreference] = Field(default_factory=list)
    existing_platform: Literal["none", "databricks", "synapse"] = "none"
    ml_expertise: Literal["none", "low", "high"] = "high"


class Constraints(_Section):
    monthly_budget_usd: float | None = Field(default=None, gt=0)
    network: Literal["public", "private"] = "public"
    allow_low_priority: bool = Field(
        default=True, description="Restartable jobs may use low-priority VMs."
    )
    free_tier: bool = Field(
        default=False, description="A free prototype: Azure AI services on the F0 tier."
    )


class Deploy(_Section):
    """Step 5: integrate."""

    endpoint: Literal["online", "batch", "none"] = "none"
    requests_per_month: int | None = Field(
        default=None, ge=0, description="Expected calls per month, for usage-priced services."
    )


class Monitor(_Section):
    """Step 6: monitor."""

    alert_email: str | None = Field(default=None, pattern=EMAIL_PATTERN)
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


class Suppression(_Section):
    rule: str = Field(pattern=RULE_ID_PATTERN,
                      description="A validation rule id (TS-SEC-001) or checkov check id.")
    resource: str | None = Field(
        default=None, description="One resource address, e.g. azurerm_key_vault.kv."
    )
    reason: str = Field(min_length=10, description="Why the finding is accepted.")


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
    overrides: Overrides = Field(default_factory=Overrides)
    suppressions: list[Suppression] = Field(default_factory=list)

    @property
    def target_region(self) -> str:
        """The region resources go to: ``overrides.region`` wins."""
        return self.overrides.region or self.region
