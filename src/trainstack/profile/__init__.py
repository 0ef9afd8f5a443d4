"""Workload profiles: the models and the YAML loader."""

from trainstack.profile.loader import (
    ProfileDocument,
    load_profile,
    load_profile_document,
    parse_profile,
)
from trainstack.profile.models import WorkloadProfile

__all__ = [
    "ProfileDocument", "WorkloadProfile", "load_profile", "load_profile_document",
    "parse_profile",
]
