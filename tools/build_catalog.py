"""Build the packaged VM catalog from the raw, sourced CSV snapshots.

Usage (from the repository root, with the raw data checked out beside it):

    python tools/build_catalog.py ../shared/data/vm-catalog [OUT_DIR]

Writes ``src/trainstack/catalog/data/vm_sizes.csv`` and ``sources.json``. The
output is sorted and byte-identical for the same inputs. This is a maintainer
tool: trainstack itself never fetches or rebuilds the catalog at run time.

Where the numbers come from:

* specs (vCPUs, memory, GPU model and count): SkyPilot catalog v6 ``vms.csv``;
* which sizes Azure Machine Learning can use, and per-region offering in the US:
  SkyPilot catalog v5 ``az_ml_vms.csv`` (sizes listed by the Azure ML
  ``vmSizes`` API);
* on-demand Linux price per region: Azure/karpenter-provider-azure pricing
  snapshot generated 2026-06-18 (16 regions); older SkyPilot US prices are the
  fallback where karpenter has none;
* low-priority price: no source gives it outside the US, so it is derived as
  ``on-demand x (AML low-priority / on-demand)`` with the ratio taken, per size,
  as the median over the US regions of ``az_ml_vms.csv``. A size with no
  low-priority price there gets none (not low-priority capable).
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from trainstack.catalog.vm import COLUMNS

OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "trainstack" / "catalog" / "data"

REGIONS = (
    "australiaeast", "canadacentral", "centralus", "eastus", "eastus2", "francecentral",
    "germanywestcentral", "japaneast", "northeurope", "southcentralus", "southeastasia",
    "swedencentral", "uksouth", "westeurope", "westus2", "westus3",
)

# GPU memory per GPU in GiB, by the model name the SkyPilot catalog uses.
# Source: the Azure VM size pages on Microsoft Learn (NCasT4_v3: T4 16 GB;
# NC A100 v4 / NDm A100 v4: A100 80 GB; ND A100 v4: A100 40 GB; NC H100 v5:
# H100 NVL 94 GB; ND H100 v5: H100 80 GB; NDv2: V100 32 GB; NCv3: V100 16 GB;
# NC: K80 12 GB; NV/NVv3: M60 8 GB; NVv4: MI25 16 GB partitions; NVadsA10 v5:
# A10 24 GB, shared/partitioned).
GPU_MEMORY_GIB = {
    "T4": 16, "A100": 40, "A100-80GB": 80, "H100": 80, "V100": 16, "V100-32GB": 32,
    "K80": 12, "P100": 16, "P40": 24, "M60": 8, "Radeon MI25": 16, "A10": 24,
}
GPU_MEMORY_BY_SIZE = {  # where the per-model default is wrong
    "Standard_NC40ads_H100_v5": 94, "Standard_NC80adis_H100_v5": 94,
}
# Known errors in the raw spec data, corrected from the Azure size pages.
SPEC_FIXES = {
    "Standard_ND96isr_H100_v5": {"gpus": 8},  # ND H100 v5 has 8 H100 GPUs, not 12
}

# Retired sizes: never selectable. Sources: Azure updates / Microsoft Learn
# retirement notices. NCv3 (V100) retired 2025-09-30 (NC24rs_v3 on 2025-03-31);
# NC (K80), NCv2 (P100), ND (P40) and NV (M60, v1) retired 2023-09-06.
RETIRED_PREFIXES = {
    "NCv3": ("Standard_NC6s_v3", "Standard_NC12s_v3", "Standard_NC24s_v3", "Standard_NC24rs_v3"),
}

SOURCES = {
    "karpenter-2026-06": {
        "what": "on-demand Linux hourly price (USD)",
        "date": "2026-06-18",
        "origin": "Azure/karpenter-provider-azure pkg/providers/pricing/zz_generated.pricing.go "
                  "@352646f599290c3a6d2f9710fb535a7b288f88ed (generated 2026-06-18T03:43:41Z)",
    },
    "skypilot-v6": {
        "what": "VM specs (vCPUs, memory, GPUs); on-demand price fallback (US)",
        "date": "2023",
        "origin": "skypilot-org/skypilot-catalog catalogs/v6/azure/vms.csv "
                  "@098741e70562f65d7af1cceb81e33b284f742604",
    },
    "skypilot-v5-aml": {
        "what": "sizes Azure Machine Learning offers per US region, with low-priority prices",
        "date": "2023",
        "origin": "skypilot-org/skypilot-catalog catalogs/v5/azure/az_ml_vms.csv "
                  "@a7fff1712e3b45ac6f26289f2515503b8b30f76a",
    },
    "derived-aml-us-ratio": {
        "what": "low-priority hourly price = on-demand x median(AML low-priority / on-demand) "
                "of the same size over the US regions of skypilot-v5-aml",
        "date": "2026-06-18",
        "origin": "derived by tools/build_catalog.py",
    },
}


def is_retired(size: str) -> bool:
    if size in RETIRED_PREFIXES["NCv3"]:
        return True
    short = size.removeprefix("Standard_")
    stem = short.removesuffix("_Promo")
    # NC6/NC12/NC24/NC24r (K80), NC*s_v2 (P100), ND*s (P40), NV6/12/24 (M60 v1)
    if stem in {"NC6", "NC12", "NC24", "NC24r", "NV6", "NV12", "NV24"}:
        return True
    if stem.startswith("NC") and stem.endswith("s_v2"):
        return True
    if stem in {"ND6s", "ND12s", "ND24s", "ND24rs"}:
        return True
    return False


def family_of(size: str, vcpus: float, memory_gib: float, gpus: int) -> str:
    short = size.removeprefix("Standard_")
    if gpus > 0:
        return "gpu"
    if short.startswith(("F", "H")):
        return "compute-optimized"
    if short.startswith(("E", "M", "G")) or memory_gib / max(vcpus, 1) >= 7:
        return "memory-optimized"
    return "general-purpose"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def main(raw_dir: str, out_dir: Path = OUT_DIR) -> int:
    raw = Path(raw_dir)
    v6 = read_csv(raw / "skypilot_v6_azure_vms.csv")
    aml = read_csv(raw / "skypilot_v5_azure_az_ml_vms.csv")
    karp = read_csv(raw / "karpenter_ondemand_prices_latest.csv")

    specs: dict[str, dict] = {}
    for row in v6 + aml:  # v6 first; az_ml rows only add sizes v6 lacks
        size = row["InstanceType"]
        if not size.startswith("Standard_") or size in specs:
            continue
        gpus = int(float(row["AcceleratorCount"] or 0))
        specs[size] = {
            "vcpus": int(float(row["vCPUs"])),
            "memory_gib": float(row["MemoryGiB"]),
            "gpus": gpus,
            "gpu_model": row["AcceleratorName"] if gpus else "",
        }
    for size, fix in SPEC_FIXES.items():
        if size in specs:
            specs[size].update(fix)

    aml_sizes = {r["InstanceType"] for r in aml}
    aml_offered = {(r["InstanceType"], r["Region"]) for r in aml}
    aml_regions = {r["Region"] for r in aml}
    v6_sizes = {r["InstanceType"] for r in v6}
    ratios: dict[str, list[float]] = defaultdict(list)
    for r in aml:
        price = float(r["Price"] or 0)
        if price > 0 and r["SpotPrice"]:
            ratios[r["InstanceType"]].append(float(r["SpotPrice"]) / price)
    lp_ratio = {s: statistics.median(v) for s, v in ratios.items()}

    prices: dict[tuple[str, str], float] = {}
    for r in karp:
        if r["Region"] in REGIONS and r["InstanceType"].startswith("Standard_"):
            prices[(r["InstanceType"], r["Region"])] = float(r["Price"])
    sky_prices: dict[tuple[str, str], float] = {}
    for r in v6 + aml:
        if r["Region"] in REGIONS and r["Price"]:
            sky_prices.setdefault((r["InstanceType"], r["Region"]), float(r["Price"]))

    rows = []
    for size in sorted(specs):
        spec = specs[size]
        for region in REGIONS:
            if (size, region) in prices:
                hourly, psrc = prices[(size, region)], "karpenter-2026-06"
            elif (size, region) in sky_prices:
                hourly, psrc = sky_prices[(size, region)], "skypilot-v6"
            else:
                continue  # no price in this region: treated as not offered
            if hourly <= 0:
                continue
            us_region = region in aml_regions
            # In US regions the az_ml list says per region what AML offers; elsewhere
            # an AML-capable size with a regional price is taken as offered.
            in_aml = size in aml_sizes and ((size, region) in aml_offered or not us_region)
            ratio = lp_ratio.get(size)
            low = round(hourly * ratio, 6) if in_aml and ratio is not None and ratio < 0.999 else None
            gpus = spec["gpus"]
            gpu_model = spec["gpu_model"]
            gpu_mem = GPU_MEMORY_BY_SIZE.get(size, GPU_MEMORY_GIB.get(gpu_model, 0)) if gpus else 0
            rows.append({
                "vm_size": size,
                "region": region,
                "vcpus": spec["vcpus"],
                "memory_gib": f"{spec['memory_gib']:g}",
                "gpus": gpus,
                "gpu_model": gpu_model,
                "gpu_memory_gib": gpu_mem,
                "family": family_of(size, spec["vcpus"], spec["memory_gib"], gpus),
                "aml": int(in_aml),
                "retired": int(is_retired(size)),
                "hourly_usd": f"{hourly:g}",
                "low_priority_usd": "" if low is None else f"{low:g}",
                "price_source": psrc,
                "price_date": SOURCES[psrc]["date"],
                "low_priority_source": "" if low is None else "derived-aml-us-ratio",
                "spec_source": "skypilot-v6" if size in v6_sizes else "skypilot-v5-aml",
            })
    out_dir.mkdir(parents=True, exist_ok=True)
    fields = list(COLUMNS)  # the one CSV schema (trainstack/catalog/vm.py)
    assert list(rows[0]) == fields, "build_catalog writes every column of the schema, in order"
    with (out_dir / "vm_sizes.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    (out_dir / "sources.json").write_text(json.dumps(SOURCES, indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(rows)} rows for {len({r['vm_size'] for r in rows})} sizes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[0] if args else "../shared/data/vm-catalog",
                  Path(args[1]) if len(args) > 1 else OUT_DIR))
