"""
Deterministic generator of realistic synthetic data maps, for benchmarks.

    python bench/generate.py --flows 100000 --output /tmp/map-100k.json [--seed 7]
    python bench/generate.py --flows 10000 --repeat 10 --output /tmp/map-runs.json

A map of F flows has about F/10 entities spread over EEA countries, countries with an
adequacy decision and other third countries; affiliates form one group with BCRs;
service providers pass data to sub-processors; a few hubs receive and send much, so
that onward chains of three and more hops and cycles form. Mechanisms, TIAs, measures
and mistakes come in realistic mixes. The same arguments always give the same file.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

EEA = ["DE", "FR", "IE", "NL", "IT", "ES", "SE", "PL", "BE", "AT", "DK", "FI", "NO"]
ADEQUATE = ["CH", "GB", "JP", "KR", "CA", "US", "BR", "IL", "NZ", "UY", "AR"]
OTHER = ["IN", "CN", "SG", "AU", "MX", "PH", "ZA", "AE", "MY", "VN", "TR", "EG"]
CATEGORIES = [
    "user.contact.email",
    "user.contact.phone_number",
    "user.name",
    "user.account",
    "user.device.ip_address",
    "user.device.device_id",
    "user.behavior.browsing_history",
    "user.behavior.purchase_history",
    "user.location.precise",
    "user.financial.bank_account",
    "user.health",
    "user.professional_information.job_title",
]
SUBJECTS = ["customers", "prospects", "employees", "job_applicants", "website_visitors"]
PURPOSES = [
    "customer_support",
    "analytics",
    "marketing.advertising",
    "essential.service",
    "logistics",
    "hr",
    "fraud_detection",
    "billing",
]
MEASURES = [
    "encryption_in_transit",
    "encryption_at_rest",
    "access_controls",
    "data_minimisation",
    "pseudonymisation",
    "exporter_held_keys",
]
DEROGATIONS = [
    "derogation:consent",
    "derogation:contract",
    "derogation:legal_claims",
    "derogation:public_interest",
]
AS_OF = date(2026, 11, 28)


def _entities(rng: random.Random, count: int) -> list[dict[str, Any]]:
    entities = []
    for index in range(count):
        roll = rng.random()
        if roll < 0.35:
            country = rng.choice(EEA)
        elif roll < 0.65:
            country = rng.choice(ADEQUATE)
        else:
            country = rng.choice(OTHER)
        kind = rng.choices(
            ["affiliate", "service_provider", "partner", "public_authority", "other"],
            [0.25, 0.5, 0.17, 0.03, 0.05],
        )[0]
        entity: dict[str, Any] = {
            "id": f"e{index:07d}",
            "name": f"Entity {index} ({country})",
            "kind": kind,
            "country": country,
        }
        if kind == "public_authority":
            entity["sector"] = "public"
        if kind == "affiliate":
            entity["group"] = "group"
        if country == "US" and rng.random() < 0.6:
            entity["certifications"] = (
                ["dpf", "dpf-hr"] if rng.random() < 0.3 else ["dpf"]
            )
        if country not in EEA and rng.random() < 0.03:
            entity["subject_to_gdpr"] = True
        if rng.random() < 0.2:
            entity["address"] = f"{index} Example Street, {country}"
        entities.append(entity)
    return entities


def _module(exporter_role: str, importer_role: str) -> int:
    if exporter_role == "controller":
        return 1 if importer_role == "controller" else 2
    return 4 if importer_role == "controller" else 3


def _flow(
    rng: random.Random, index: int, source: dict[str, Any], target: dict[str, Any]
) -> dict[str, Any]:
    exporter_role = "controller" if rng.random() < 0.7 else "processor"
    importer_role = (
        "processor" if target["kind"] == "service_provider" else "controller"
    )
    flow: dict[str, Any] = {
        "id": f"f{index:08d}",
        "from": source["id"],
        "to": target["id"],
        "exporter_role": exporter_role,
        "importer_role": importer_role,
        "data_subjects": rng.sample(SUBJECTS, rng.randint(1, 2)),
        "data_categories": rng.sample(CATEGORIES, rng.randint(1, 4)),
        "purposes": rng.sample(PURPOSES, rng.randint(1, 2)),
        "frequency": rng.choices(
            ["continuous", "regular", "occasional", "one_off"], [0.5, 0.3, 0.15, 0.05]
        )[0],
    }
    country = target["country"]
    roll = rng.random()
    if country in EEA:
        mechanism = "none"
    elif (
        source.get("group") == "group" and target.get("group") == "group" and roll < 0.6
    ):
        mechanism = "bcr"
    elif country == "US" and "certifications" in target and roll < 0.7:
        mechanism = "dpf"
    elif country in ADEQUATE and roll < 0.5:
        mechanism = "adequacy"
    elif roll < 0.8:
        mechanism = "scc"
    elif roll < 0.9:
        mechanism = rng.choice(DEROGATIONS)
    else:
        mechanism = "none"
    flow["mechanism"] = mechanism
    if mechanism == "scc":
        module = _module(exporter_role, importer_role)
        flow["scc_module"] = module if rng.random() < 0.95 else (module % 4) + 1
    if mechanism in {"scc", "bcr"} and rng.random() < 0.8:
        flow["tia"] = (AS_OF - timedelta(days=rng.randint(10, 700))).isoformat()
    if rng.random() < 0.5:
        flow["measures"] = rng.sample(MEASURES, rng.randint(1, 3))
    if rng.random() < 0.1:
        flow["importer_access"] = rng.choice(["pseudonymised", "encrypted", "none"])
    if rng.random() < 0.02:
        flow["anonymised"] = True
    roll = rng.random()
    if roll < 0.03:
        flow["end"] = (AS_OF - timedelta(days=rng.randint(1, 900))).isoformat()
    elif roll < 0.05:
        flow["start"] = (AS_OF + timedelta(days=rng.randint(1, 300))).isoformat()
    if rng.random() < 0.2:
        flow["volume"] = rng.randint(10, 2_000_000)
    return flow


def generate(flows: int, seed: int = 7, repeat: int = 1) -> dict[str, Any]:
    """
    A synthetic map with `flows` flows and about a tenth as many entities.

    With `repeat` above 1, flows come in runs of `repeat`, as in an inventory that
    declares one system's flow for every affiliate using it: each run repeats its
    first flow (same importer, roles, data, purposes, mechanism, TIA, dates) from
    other exporters of the same kind in the EEA (affiliates for an affiliate's).
    """
    rng = random.Random(seed)
    entities = _entities(rng, max(3, flows // 10))
    eea = [entity for entity in entities if entity["country"] in EEA]
    hubs = rng.sample(entities, max(1, len(entities) // 200))
    kinds = {entity["id"]: entity["kind"] for entity in entities}
    eea_by_kind: dict[str, list[dict[str, Any]]] = {}
    for entity in eea:
        eea_by_kind.setdefault(entity["kind"], []).append(entity)
    result: list[dict[str, Any]] = []
    for index in range(flows):
        if repeat > 1 and index % repeat and eea:
            template = result[index - index % repeat]
            kind = kinds[template["from"]]
            source = rng.choice(eea_by_kind.get(kind) or eea)
            if source["id"] == template["to"]:
                source = entities[(entities.index(source) + 1) % len(entities)]
            result.append({**template, "id": f"f{index:08d}", "from": source["id"]})
            continue
        roll = rng.random()
        if roll < 0.45 and eea:
            source = rng.choice(eea)
        elif roll < 0.6:
            source = rng.choice(hubs)
        else:
            source = rng.choice(entities)
        target = rng.choice(hubs) if rng.random() < 0.15 else rng.choice(entities)
        if target is source:
            target = entities[(entities.index(source) + 1) % len(entities)]
        result.append(_flow(rng, index, source, target))
    return {
        "version": 1,
        "organisation": f"Synthetic Group ({flows} flows, seed {seed})",
        "as_of": AS_OF.isoformat(),
        "groups": [
            {
                "id": "group",
                "name": "Synthetic Group",
                "bcr": ["controller"],
                "bcr_approved": "2022-03-01",
            }
        ],
        "entities": entities,
        "flows": result,
    }


def main(argv: list[str] | None = None) -> int:
    """Write a synthetic map as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="flows in runs of this many copies from other exporters (default 1)",
    )
    arguments = parser.parse_args(argv)
    value = generate(arguments.flows, arguments.seed, arguments.repeat)
    with arguments.output.open("w", encoding="utf-8") as stream:
        json.dump(value, stream, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
