"""Which service trains the model (first match wins, overrides first)."""

from __future__ import annotations

from dataclasses import dataclass

from trainstack.catalog.services import ServiceFacts
from trainstack.profile.models import WorkloadProfile
from trainstack.select.common import LARGEST_NODE_GIB, Notes, memory_need, needs_gpu
from trainstack.select.rules import Rule

SPARK_SOURCES = frozenset({"adls", "databricks", "synapse"})
SPARK_DATA_GB = 100  # at this size a team that wants full control works in Spark


@dataclass(frozen=True)
class ServiceDecision:
    service: str  # azure-ml | databricks | synapse | ai-services
    # Azure ML trains, but data preparation needs Spark: a Synapse pool linked to it.
    spark_prep: bool = False


def decide_service(profile: WorkloadProfile, facts: ServiceFacts, notes: Notes) -> ServiceDecision:
    """SVC-*: the first rule that matches decides the service (docs/selection.md)."""
    for rule in (_pinned, _prebuilt, _existing_platform, _spark_scale, _full_control):
        decision = rule(profile, facts, notes)
        if decision is not None:
            return decision
    notes.why(Rule.SVC_AML_DEFAULT,
              "Azure Machine Learning trains the model: managed clusters that scale to zero, "
              "with the Python SDK, CLI and studio UI")
    return ServiceDecision("azure-ml")


def _pinned(profile: WorkloadProfile, facts: ServiceFacts, notes: Notes
            ) -> ServiceDecision | None:
    pinned = profile.overrides.service
    if pinned is None:
        return None
    notes.why(Rule.SVC_OVERRIDE, f"overrides.service pins {pinned}")
    gpu, gpu_why = needs_gpu(profile)
    if pinned == "synapse" and gpu:
        notes.warn("overrides.service synapse: Synapse has no GPU pools (retired 2024-07-08); "
                   f"{gpu_why}, so training on Synapse will be slow")
    return ServiceDecision(pinned)


def _prebuilt(profile: WorkloadProfile, facts: ServiceFacts, notes: Notes
              ) -> ServiceDecision | None:
    kind = facts.ai.kind_for(profile.problem.task, custom_labels=profile.problem.custom_labels)
    if not kind or not (profile.problem.prebuilt_ok or profile.team.ml_expertise == "none"):
        return None
    why = "problem.prebuilt_ok" if profile.problem.prebuilt_ok else "team.ml_expertise is none"
    notes.why(Rule.SVC_AI_PREBUILT,
              f"{why} and a prebuilt Azure AI model ({kind}) covers "
              f"{profile.problem.task}: no training infrastructure to run")
    return ServiceDecision("ai-services")


def _existing_platform(profile: WorkloadProfile, facts: ServiceFacts, notes: Notes
                       ) -> ServiceDecision | None:
    platform = profile.team.existing_platform
    if platform == "none":
        return None
    gpu, gpu_why = needs_gpu(profile)
    if platform == "synapse" and gpu:
        notes.why(Rule.SVC_SYNAPSE_NO_GPU,
                  f"the team works in Synapse, but {gpu_why} and Synapse has no GPU pools: "
                  "Azure ML trains on GPU, with a Synapse Spark pool linked for data "
                  "preparation")
        return ServiceDecision("azure-ml", spark_prep=True)
    notes.why(Rule.SVC_KEEP_PLATFORM,
              f"team.existing_platform is {platform}: data engineering and data science "
              "stay in the same service")
    return ServiceDecision(platform)


def _spark_scale(profile: WorkloadProfile, facts: ServiceFacts, notes: Notes
                 ) -> ServiceDecision | None:
    data = profile.data
    need_gib, basis = memory_need(profile)
    if not (data.needs_distributed_prep or (
            data.modality in ("tabular", "timeseries") and need_gib > LARGEST_NODE_GIB)):
        return None
    reason = ("data.needs_distributed_prep" if data.needs_distributed_prep else
              f"the data needs ~{need_gib:g} GiB in memory ({basis}), more than one node "
              f"holds ({LARGEST_NODE_GIB:g} GiB)")
    gpu, gpu_why = needs_gpu(profile)
    if gpu:
        notes.why(Rule.SVC_DISTRIBUTED,
                  f"{reason}; training itself is deep learning ({gpu_why}), so Azure ML "
                  "trains on GPU and a Synapse Spark pool linked to it prepares the data")
        return ServiceDecision("azure-ml", spark_prep=True)
    if "sql" in profile.team.prefers:
        notes.why(Rule.SVC_DISTRIBUTED, f"{reason}: Spark, on Synapse because the team "
                                        "prefers SQL")
        return ServiceDecision("synapse")
    notes.why(Rule.SVC_DISTRIBUTED, f"{reason}: distributed Spark compute on Databricks "
                                    "(PySpark, MLlib, ML runtime)")
    return ServiceDecision("databricks")


def _full_control(profile: WorkloadProfile, facts: ServiceFacts, notes: Notes
                  ) -> ServiceDecision | None:
    team, data = profile.team, profile.data
    if not ("scala" in team.prefers or (
            "full-control" in team.prefers
            and (data.source in SPARK_SOURCES or data.size_gb >= SPARK_DATA_GB))):
        return None
    pref = "scala" if "scala" in team.prefers else "full-control"
    notes.why(Rule.SVC_FULL_CONTROL,
              f"the team prefers {pref} with Spark-scale data: Databricks gives full "
              "control over clusters, runtimes and Spark")
    return ServiceDecision("databricks")
