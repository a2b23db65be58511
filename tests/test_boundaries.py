"""Every date, threshold and count the rules decide by has its three-day scenarios.

The house rule: each date is tested on the day before, the day itself and the day
after. This test enumerates the dates from the sources that hold them, so that a
date added later fails here until scenarios sit around it:

- every ISO date in ``data/regimes.json``, ``data/adequacy.json``, ``data/eea.json``
  and ``data/access_laws.json`` (a law's ``in_force`` days decide which laws a
  transfer impact assessment weighs on the assessment date);
- every module-level ``date(Y, M, D)`` constant in the ``transfer_assess`` package;
- every field of the rules' `Settings` (thresholds counted in days);
- every date field of the data map (``start``, ``tia``, ``bcr_approved``, ...),
  which the rules compare with the assessment date.

A scenario in ``tests/scenarios`` says what it covers under ``covers``: the name of
a constant and the day (or days) it sits on, or for a threshold or a map field the
number of days between the two dates compared. Each claim is checked against the
scenario itself, so that a scenario cannot cover a day it does not use. The few
dates that cannot change a verdict are exempt below, each with its reason.
"""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from tests.mapfactory import document, entity, flow
from transfer_assess import InputError, assess, model, parse_map
from transfer_assess.model import Frequency, Mechanism
from transfer_assess.rules.base import Settings
from transfer_assess.rules.safeguards import SCC_DECISION, SCHREMS_II

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PACKAGE = ROOT / "transfer_assess"
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("*.yaml"))
DAY = timedelta(days=1)

#: Dates that cannot change a verdict, each with the reason.
EXEMPT = {
    "regimes/UK/articles_history/0/from": (
        "citation only: which article numbers a reason cites, never a verdict "
        "(its days are tested in test_boundary_reasons.py)"
    ),
    "regimes/UK/articles_history/0/until": (
        "citation only: which article numbers a reason cites, never a verdict "
        "(its days are tested in test_boundary_reasons.py)"
    ),
    "regimes/CH/tools/scc:eu-2021/from": (
        "before 2023-09-01, when the revised FADP applies; the former FADP is not "
        "modelled and the Swiss rules read only the tool's adaptation"
    ),
    "regimes/CH/tools/scc:eu-old/until": (
        "before 2023-09-01, when the revised FADP applies; the former FADP is not "
        "modelled and the Swiss rules read no date of the old sets"
    ),
    "regimes/CH/tools/scc:eu-old/new_contracts_until": (
        "before 2023-09-01, when the revised FADP applies; the former FADP is not "
        "modelled and the Swiss rules read no date of the old sets"
    ),
    "adequacy/gb-gdpr-2025/validity/0/until": (
        "far future (2031-12-27): its lapse window opens in 2031"
    ),
    "adequacy/gb-led-2025/validity/0/until": (
        "far future (2031-12-27): its lapse window opens in 2031"
    ),
}
#: Instruments only decide which reasons may cite them (engine.cites_by_date);
#: the one whose date is also a rule, Schrems II, is not exempt.
_CITATION_ONLY = "citation only: decides whether a reason may cite the instrument"
#: Reviews are shown in the reports; no rule reads them.
_REVIEW = "a review is information for the reader; no rule reads its date"
#: The data set's own edition dates.
_EDITION = "the edition date of the reference data, not a legal date"
#: Days the engine refuses as an assessment date, checked by
#: `test_refused_days_are_refused` instead of a scenario.
REFUSED = {model.GDPR_APPLIES_FROM - DAY}


def _label(item: Any, index: int) -> str:
    """A stable name for a list item: its id, its tool kind, or its index."""
    if isinstance(item, dict):
        for key in ("id", "country"):
            if isinstance(item.get(key), str):
                return str(item[key])
        if "mechanism" in item and "clause_set" in item:
            clause_set = item["clause_set"]
            return (
                f"{item['mechanism']}:{clause_set}" if clause_set else item["mechanism"]
            )
    return str(index)


def _walk(value: Any, path: str) -> Iterator[tuple[str, date]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}/{_label(item, index)}")
    elif isinstance(value, str) and len(value) == 10:
        try:
            yield path, date.fromisoformat(value)
        except ValueError:
            return


def data_dates() -> dict[str, date]:
    """Every ISO date in the reference data (the exempt ones included)."""
    found: dict[str, date] = {}
    for name, top in (
        ("regimes", "regimes"),
        ("adequacy", "entries"),
        ("eea", "entries"),
        ("access_laws", "entries"),
    ):
        content = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
        for key in ("as_of", "version", "gdpr_applies_from"):
            # access_laws.json numbers its editions (2026-11-30.1): not a date.
            found.update(_walk(content.get(key), f"{name}/{key}"))
        for path, day in _walk(content[top], name):
            assert path not in found, f"two dates are named {path}"
            found[path] = day
    return found


def code_dates() -> dict[str, date]:
    """Every module-level ``NAME = date(Y, M, D)`` in the package."""
    found: dict[str, date] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.Assign | ast.AnnAssign)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "date"
            ):
                target = (
                    node.targets[0] if isinstance(node, ast.Assign) else node.target
                )
                assert isinstance(target, ast.Name), (module, ast.dump(node))
                numbers = [ast.literal_eval(arg) for arg in node.value.args]
                found[f"code/{module}.{target.id}"] = date(*numbers)
    return found


def exemptions(dates: dict[str, date]) -> dict[str, str]:
    """The exempt dates with their reasons: the explicit list and the rules above."""
    result = dict(EXEMPT)
    named_successors = _successors()
    rule_instruments = _rule_instruments()
    for name, day in dates.items():
        parts = name.split("/")
        if parts[-1] in {"as_of", "version"} and len(parts) == 2:
            result[name] = _EDITION
        elif day < model.GDPR_APPLIES_FROM:
            result[name] = (
                "before 2018-05-25: the GDPR did not apply and the engine refuses "
                "earlier assessment dates"
            )
        elif parts[0] == "access_laws" and (why := _access_law_exempt(parts[1], day)):
            result[name] = why
        elif "/instruments/" in name and name not in rule_instruments:
            result[name] = _CITATION_ONLY
        elif parts[0] == "adequacy" and _entry(parts[1])["regime"] == "EU-LED":
            result[name] = (
                "a Directive (EU) 2016/680 decision: the rules assess GDPR transfers "
                "and never apply it"
            )
        elif "/reviews/" in name:
            result[name] = _REVIEW
        elif (
            parts[0] == "adequacy"
            and parts[-1] == "adopted"
            and len(parts) == 3
            and _applies_from(parts[1]) is not None
            and parts[1] not in named_successors
        ):
            result[name] = (
                "a decision with applies_from starts then; its adoption day only "
                "matters for a successor, and no decision names this one"
            )
    return result


def _entries() -> list[dict[str, Any]]:
    content = json.loads((DATA / "adequacy.json").read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = content["entries"]
    return entries


def _entry(entry_id: str) -> dict[str, Any]:
    return next(entry for entry in _entries() if entry["id"] == entry_id)


def _applies_from(entry_id: str) -> str | None:
    value: str | None = _entry(entry_id)["applies_from"]
    return value


def _access_laws() -> dict[str, dict[str, Any]]:
    content = json.loads((DATA / "access_laws.json").read_text(encoding="utf-8"))
    return {law["id"]: law for law in content["entries"]}


def _standing(law: dict[str, Any]) -> str:
    """A law against the four guarantees, as docs/tia.md states it."""
    standings = {item["standing"] for item in law["guarantees"].values()}
    if "not_met" in standings:
        return "fails"
    return "meets" if standings == {"met"} else "unclear"


def _researched(law: dict[str, Any]) -> bool:
    """Whether the law makes its country researched (docs/tia.md)."""
    return (
        bool(law["reaches"])
        or law["access_in_transit"]
        or any(item["standing"] != "unconfirmed" for item in law["guarantees"].values())
    )


def _in_force_around(law: dict[str, Any], day: date) -> bool:
    """Whether the law is in force on the day before, the day and the day after."""
    until = law["in_force"]["until"]
    return date.fromisoformat(law["in_force"]["from"]) <= day - DAY and (
        until is None or day + DAY <= date.fromisoformat(until)
    )


def _first_tia_day() -> date:
    """The first day any regime concludes a transfer impact assessment."""
    content = json.loads((DATA / "regimes.json").read_text(encoding="utf-8"))
    days = [
        date.fromisoformat(regime["applies_from"])
        for regime in content["regimes"]
        if regime["id"] != "EU"
    ]
    days.extend(
        date.fromisoformat(item["from"])
        for regime in content["regimes"]
        for item in regime.get("instruments", [])
        if item["citation"] == SCHREMS_II
    )
    return min(days)


def _access_law_exempt(law_id: str, day: date) -> str | None:
    """
    Why the first or last day of an access law cannot change a verdict, if so.

    A law's days change a verdict only through the conclusion of a transfer
    impact assessment with answers: before the first day a regime draws one, a
    law that meets the guarantees (never problematic) while another law keeps the
    country researched, and a law that reaches every organisation beside a twin of
    the same standing, change at most the laws a reason lists and the calculation
    shown as evidence.
    """
    laws = _access_laws()
    law = laws[law_id]
    others = [
        other
        for other in laws.values()
        if other["country"] == law["country"]
        and other["id"] != law_id
        and _in_force_around(other, day)
    ]
    first = _first_tia_day()
    if day + DAY < first:
        return (
            f"its three days fall before {first.isoformat()}: the EU rules conclude "
            "no transfer impact assessment before Schrems II, and the UK and Swiss "
            "regimes apply later"
        )
    keeper = next((other["id"] for other in others if _researched(other)), None)
    if _standing(law) == "meets" and keeper:
        return (
            "it meets the four guarantees, so it is never a problematic law, and "
            f"{keeper} keeps the destination researched on the three days: at most "
            "the calculation shown as evidence changes"
        )
    twin = next(
        (
            other["id"]
            for other in others
            if "any_organisation" in other["reaches"]
            and _standing(other) == _standing(law)
            and other["access_in_transit"] == law["access_in_transit"]
        ),
        None,
    )
    if "any_organisation" in law["reaches"] and twin:
        return (
            f"it reaches every organisation, as {twin} does on the three days with "
            "the same standing: the conclusion is the same with or without it; only "
            "the laws a reason lists and the calculation (evidence) change"
        )
    return None


def _rule_instruments() -> set[str]:
    """
    The instruments whose date is also a rule: Schrems II (the TIA duty) and the 2021
    SCCs' decision (its recital 7 on importers subject to the GDPR).
    """
    content = json.loads((DATA / "regimes.json").read_text(encoding="utf-8"))
    return {
        f"regimes/{regime['id']}/instruments/{index}/from"
        for regime in content["regimes"]
        for index, item in enumerate(regime.get("instruments", []))
        if item["citation"] in {SCHREMS_II, SCC_DECISION}
    }


def _successors() -> set[str]:
    return {e["successor"] for e in _entries() if e["successor"]}


#: Settings that never decide a verdict: the transfer impact assessment's
#: calculation is shown beside its conclusion as evidence, never acted on
#: (docs/tia.md); tests/test_tia.py tries its threshold just below, at and above.
EVIDENCE_SETTINGS = {
    "settings/tia_probability_threshold",
    "settings/tia_default_transfer_years",
}


def settings_counts() -> dict[str, int]:
    """The thresholds of `Settings` that decide verdicts, each a number of days."""
    return {
        f"settings/{field.name}": getattr(Settings(), field.name)
        for field in attrs.fields(Settings)
        if f"settings/{field.name}" not in EVIDENCE_SETTINGS
    }


#: How each threshold is measured in a scenario: which map field or reference
#: date it compares with the assessment date, and in which direction.
MEASURES = {
    "settings/tia_max_age_days": "age of map tia",
    "settings/lapse_warning_days": "days from as_of to a reference date",
}

#: The map's date fields: each compared with the assessment date (offset 0).
MAP_FIELDS: dict[str, Callable[[model.DataMap], list[date | None]]] = {
    "map/Flow.start": lambda m: [f.start for f in m.flows],
    "map/Flow.end": lambda m: [f.end for f in m.flows],
    "map/Flow.tia": lambda m: [f.tia for f in m.flows],
    "map/Flow.scc_signed": lambda m: [f.scc_signed for f in m.flows],
    "map/Group.bcr_approved": lambda m: [g.bcr_approved for g in m.groups],
    "map/Group.bcr_approved_uk": lambda m: [g.bcr_approved_uk for g in m.groups],
    "map/Group.bcr_approved_ch": lambda m: [g.bcr_approved_ch for g in m.groups],
    "map/Entity.bcr_accession": lambda m: [e.bcr_accession for e in m.entities],
    "map/Entity.certification_periods.from": lambda m: [
        p[0] for e in m.entities for p in e.certification_periods.values()
    ],
    "map/Entity.certification_periods.until": lambda m: [
        p[1] for e in m.entities for p in e.certification_periods.values()
    ],
}
#: The map's default assessment date is the assessment date itself.
MAP_EXEMPT = {"DataMap.as_of"}


@attrs.frozen
class Scenario:
    """A scenario file with what it claims to cover."""

    path: Path
    as_of: date
    datamap: model.DataMap
    covers: dict[str, list[Any]]


def _scenarios() -> list[Scenario]:
    result = []
    for path in SCENARIOS:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        covers = raw.get("covers") or {}
        assert isinstance(covers, dict), path.name
        day = raw["as_of"]
        datamap = parse_map(json.dumps(raw["map"], default=str), format="json")
        result.append(
            Scenario(
                path,
                day if isinstance(day, date) else date.fromisoformat(day),
                datamap,
                {k: v if isinstance(v, list) else [v] for k, v in covers.items()},
            )
        )
    return result


ALL = _scenarios()
DATES = data_dates() | code_dates()
EXEMPTIONS = exemptions(DATES)
COUNTS = settings_counts() | dict.fromkeys(MAP_FIELDS, 0)


def map_dates(datamap: model.DataMap) -> set[date]:
    """Every date in a map."""
    found: set[date] = set()
    for getter in MAP_FIELDS.values():
        found.update(day for day in getter(datamap) if day is not None)
    return found


def offsets(name: str, scenario: Scenario) -> set[int]:
    """The day counts a scenario realises for a threshold or a map field."""
    day = scenario.as_of
    if name in MAP_FIELDS:
        values = MAP_FIELDS[name](scenario.datamap)
        return {(value - day).days for value in values if value is not None}
    if MEASURES[name] == "age of map tia":
        return {(day - flow.tia).days for flow in scenario.datamap.flows if flow.tia}
    return {(value - day).days for value in DATES.values()}


def test_every_map_date_field_is_enumerated() -> None:
    # A date field added to the map must be added to MAP_FIELDS (and covered).
    fields = {
        f"{cls.__name__}.{field.name}"
        for cls in (model.Flow, model.Group, model.Entity, model.DataMap)
        for field in attrs.fields(cls)
        if "date" in str(field.type)
    }
    known = {
        name.removeprefix("map/").removesuffix(".from").removesuffix(".until")
        for name in MAP_FIELDS
    }
    assert fields - MAP_EXEMPT == known


def test_every_setting_has_a_measure() -> None:
    every = {f"settings/{field.name}" for field in attrs.fields(Settings)}
    assert set(settings_counts()) == set(MEASURES) == every - EVIDENCE_SETTINGS


def test_the_enumeration_finds_the_dates() -> None:
    # Guards the enumeration itself: dates known to decide verdicts are found.
    assert DATES["adequacy/gb-gdpr-2021/ended"] == date(2025, 12, 28)
    assert DATES["regimes/EU/tools/scc:eu-old/until"] == date(2022, 12, 27)
    assert DATES["code/transfer_assess.rules.safeguards.SCC_2021_FROM"] == date(
        2021, 6, 27
    )
    assert DATES["adequacy/us-dpf/watch/0/since"] == date(2025, 10, 31)
    assert DATES["eea/GB/periods/2/until"] == date(2021, 6, 27)
    assert DATES["access_laws/in-telegraph-act-s5/in_force/until"] == date(2024, 6, 25)
    assert len(DATES) > 60


def test_exemptions_name_real_dates() -> None:
    stale = set(EXEMPT) - set(DATES)
    assert not stale, sorted(stale)
    # Case-by-case exemptions stay few; the others follow the rules in exemptions().
    assert len(EXEMPT) <= 8


def test_covers_name_real_constants() -> None:
    for scenario in ALL:
        unknown = set(scenario.covers) - set(DATES) - set(COUNTS)
        assert not unknown, (scenario.path.name, sorted(unknown))


@pytest.mark.parametrize("scenario", ALL, ids=[s.path.stem for s in ALL])
def test_claims_are_in_the_scenario(scenario: Scenario) -> None:
    """A scenario covers only days it uses and counts it realises."""
    days = {scenario.as_of} | map_dates(scenario.datamap)
    for name, values in scenario.covers.items():
        if name in DATES:
            target = DATES[name]
            for value in values:
                assert isinstance(value, date), (scenario.path.name, name, value)
                assert abs((value - target).days) <= 1, (scenario.path.name, name)
                assert value in days, (scenario.path.name, name, value)
        else:
            realised = offsets(name, scenario)
            for value in values:
                assert isinstance(value, int), (scenario.path.name, name, value)
                assert abs(value - COUNTS[name]) <= 1, (scenario.path.name, name)
                assert value in realised, (scenario.path.name, name, value)


def _covered() -> dict[str, set[Any]]:
    covered: dict[str, set[Any]] = defaultdict(set)
    for scenario in ALL:
        for name, values in scenario.covers.items():
            covered[name].update(values)
    return covered


@pytest.mark.parametrize(
    "name", sorted(set(DATES) - set(EXEMPTIONS)), ids=lambda name: name
)
def test_date_has_three_days(name: str) -> None:
    missing = missing_days(name, DATES[name], _covered())
    assert not missing, (name, sorted(str(item) for item in missing))


def missing_days(name: str, day: date, covered: dict[str, set[Any]]) -> set[date]:
    """The days around `day` that no scenario covers for the constant `name`."""
    return {day - DAY, day, day + DAY} - REFUSED - covered.get(name, set())


def test_a_new_date_without_scenarios_fails() -> None:
    # The check is not vacuous: a date nobody covers, or one moved by a day, is missing.
    covered = _covered()
    assert (
        len(missing_days("adequacy/new-entry/adopted", date(2027, 3, 1), covered)) == 3
    )
    moved = DATES["adequacy/korea/adopted"] + DAY
    assert missing_days("adequacy/korea/adopted", moved, covered) == {moved + DAY}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_count_has_three_values(name: str) -> None:
    count = COUNTS[name]
    missing = {count - 1, count, count + 1} - _covered()[name]
    assert not missing, (name, sorted(missing))


def test_refused_days_are_refused() -> None:
    datamap = ALL[0].datamap
    for day in REFUSED:
        with pytest.raises(InputError, match="2018-05-25"):
            assess(datamap, as_of=day)


def test_every_derogation_meets_every_frequency() -> None:
    # The derogations' frequency limits are a scale: each derogation is assessed
    # at each frequency in some scenario, on both sides of its limit.
    derogations = {m for m in Mechanism if m.value.startswith("derogation:")}
    seen = {
        (flow.mechanism, flow.frequency)
        for scenario in ALL
        for flow in scenario.datamap.flows
    }
    missing = {(m, f) for m in derogations for f in Frequency} - seen
    assert not missing, sorted((m.value, f.value) for m, f in missing)


#: Exempt access-law days whose reason is a rule of `_access_law_exempt`.
ACCESS_LAW_EXEMPT = sorted(
    name
    for name, day in DATES.items()
    if name.startswith("access_laws/")
    and name.count("/") == 3
    and name in EXEMPTIONS
    and EXEMPTIONS[name] == _access_law_exempt(name.split("/")[1], day)
)


def _probe_map(law_id: str, tia: date) -> model.DataMap:
    """
    Flows from each regime to an importer in the law's country, under many answers.

    The answers cover what the conclusion reads: data in clear or protected, and
    the law's reach answered yes, no, unknown or not at all.
    """
    country = _access_laws()[law_id]["country"]
    laws = [law for law in _access_laws().values() if law["country"] == country]
    answer_sets: list[dict[str, Any]] = [
        {"data_form": "clear"},
        {"data_form": "encrypted", "keys_held_by": "exporter"},
        {"data_form": "clear", "reached": {law["id"]: "no" for law in laws}},
        {"data_form": "clear", "reached": {law["id"]: "yes" for law in laws}},
        {
            "data_form": "clear",
            "reached": {
                law["id"]: "yes" if law["id"] == law_id else "no" for law in laws
            },
        },
        {"data_form": "clear", "reached": {law_id: "unknown"}},
    ]
    exporters = {"DE": ("scc", 2), "GB": ("idta", None), "CH": ("scc", 2)}
    flows = [
        flow(
            f"f-{code}-{index}",
            code,
            "imp",
            mechanism=mechanism,
            tia={"date": tia.isoformat(), "answers": answers},
            **({"scc_module": module} if module else {}),
        )
        for code, (mechanism, module) in exporters.items()
        for index, answers in enumerate(answer_sets)
    ]
    entities = [entity(code, code) for code in exporters]
    entities.append(entity("imp", country, kind="service_provider"))
    raw = document(entities, flows)
    return parse_map(json.dumps(raw), format="json")


def _conclusions(name: str, when: date) -> dict[tuple[str, str], Any]:
    """The TIA conclusion (or None) of every finding of the probe map on `when`."""
    day = DATES[name]
    datamap = _probe_map(name.split("/")[1], day - timedelta(days=30))
    result = assess(datamap, as_of=when)
    return {
        (item.flow, item.regime): item.tia and item.tia.conclusion
        for item in result.findings
    }


@pytest.mark.parametrize("name", ACCESS_LAW_EXEMPT)
def test_exempt_access_law_days_change_no_conclusion(name: str) -> None:
    # The exemption's claim, tried: on the day before, the day and the day after,
    # every regime draws the same conclusion (or none) for every answer set.
    day = DATES[name]
    before, on, after = (
        _conclusions(name, when) for when in (day - DAY, day, day + DAY)
    )
    assert before == on == after, name


def test_access_law_days_that_decide_are_not_exempt() -> None:
    # The exemption rules are not blanket, and the probe above can fail: laws whose
    # reach the importer answers for keep their three days, and the probe tells
    # the day before the Anti-Terrorism Act s. 16 from its first day.
    for name in (
        "access_laws/ph-anti-terrorism-act-s16/in_force/from",
        "access_laws/in-telecom-act-s20/in_force/from",
        "access_laws/in-telegraph-act-s5/in_force/until",
    ):
        assert name not in EXEMPTIONS, name
    name = "access_laws/ph-anti-terrorism-act-s16/in_force/from"
    assert _conclusions(name, DATES[name] - DAY) != _conclusions(name, DATES[name])
    assert len(ACCESS_LAW_EXEMPT) >= 4
