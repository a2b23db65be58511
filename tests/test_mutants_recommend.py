"""
What the recommendations cite where no test read it (issue 13's mutation audit).

For an onward transfer the SCCs recommendation names the clauses of the inbound SCCs
that govern onward transfers, which differ by module in the 2021 SCCs: Clause 8.7 in
module 1, Clauses 8.8 (onward transfers) and 9 (sub-processors) in modules 2 and 3.

The other tests pin whole recommendations (action, detail and citations) that no test
read: the public-body instrument, the consent warnings, the BCR texts, the onward terms
of each inbound tool, the supplementary measures by importer access, the texts given
between Schrems II and the EDPB's Recommendations 01/2020, and what a TIA with answers
leaves of the generic advice.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import assess, parse_map
from transfer_assess.findings import Action, Status

DAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("module", "exporter_role", "importer_role", "clauses"),
    [
        (1, "controller", "controller", "Clause 8.7"),
        (2, "controller", "processor", "Clauses 8.8 and 9"),
        (3, "processor", "processor", "Clauses 8.8 and 9"),
    ],
)
def test_onward_advice_names_the_inbound_modules_clauses(
    module: int, exporter_role: str, importer_role: str, clauses: str
) -> None:
    inbound = flow(
        "a", "hq-de", "us", mechanism="scc", scc_module=module, tia="2026-10-01",
        exporter_role=exporter_role, importer_role=importer_role,
    )  # fmt: skip
    onward = flow("b", "us", "in", exporter_role=importer_role)
    value = document(
        entities=[entity("hq-de"), entity("us", "US"), entity("in", "IN")],
        flows=[inbound, onward],
    )
    finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("b")
    (scc,) = [item for item in finding.recommendations if item.action is Action.SCC]
    assert f"{clauses} of the SCCs (module {module}) of flow a" in scc.detail


# The recommendations below are pinned whole (action, detail, citations): a test that
# reads only the action cannot tell a changed text or citation from the right one.

_ADEQUATE_US = "Commission Implementing Decision (EU) 2023/1795"


def _advice(
    value: dict[str, object], flow_id: str, day: date | str = DAY
) -> dict[Action, tuple[str, tuple[str, ...]]]:
    """The EU recommendations of one flow, by action: (detail, citations)."""
    finding = assess(parse_map(as_yaml(value)), as_of=day).finding(flow_id)
    return {
        item.action: (item.detail, item.citations) for item in finding.recommendations
    }


def test_public_bodies_are_advised_an_instrument_between_them() -> None:
    public = {"kind": "public_authority", "sector": "public"}
    value = document(
        entities=[entity("tax", **public), entity("irs", "US", **public)],
        flows=[flow("p", "tax", "irs")],
    )
    assert _advice(value, "p")[Action.PUBLIC_BODY_INSTRUMENT] == (
        (
            "Both ends of flow p are public bodies: a binding instrument or an "
            "authorised administrative arrangement can serve it."
        ),
        ("GDPR Art. 46(2)(a)", "GDPR Art. 46(3)(b)"),
    )


_CONSENT = (
    "For this occasional flow, explicit, specific and informed consent of each data "
    "subject to the transfer is possible as a last resort."
)


@pytest.mark.parametrize(
    ("subjects", "warning"),
    [
        (["customers"], ""),
        (["employees"], " Consent is rarely freely given in employment."),
        (
            ["children"],
            (
                " For children, consent must come from the holder of parental "
                "responsibility."
            ),
        ),
        (["children", "employees"], " Consent is rarely freely given in employment."),
    ],
)
def test_consent_warns_for_employees_and_children(
    subjects: list[str], warning: str
) -> None:
    occasional = flow(
        "e", "hq-de", "us-cloud", frequency="occasional", data_subjects=subjects
    )
    advice = _advice(document(flows=[occasional]), "e")
    assert advice[Action.CONSENT] == (
        _CONSENT + warning,
        ("GDPR Art. 49(1)(a)", "EDPB Guidelines 2/2018"),
    )


def test_dpf_names_each_missing_certification() -> None:
    hr = flow("e", "hq-de", "us-cloud", data_subjects=["employees"])
    assert _advice(document(flows=[hr]), "e")[Action.DPF] == (
        f"If us-cloud certifies (dpf, dpf-hr), {_ADEQUATE_US} would cover flow e.",
        ("GDPR Art. 45(1)", _ADEQUATE_US),
    )


_GROUP = "hq-de and us-cloud are in the group grp: "


@pytest.mark.parametrize(
    ("role", "group", "text"),
    [
        (
            "controller",
            {"id": "grp"},
            (
                "BCR-C (binding corporate rules for controllers), approved by the lead "
                "supervisory authority, can cover intra-group transfers."
            ),
        ),
        (
            "controller",
            {"id": "grp", "bcr": ["controller"], "bcr_approved": "2024-01-01"},
            (
                "the group's approved BCR-C can cover this flow once it is listed in "
                "their scope."
            ),
        ),
        (
            "processor",
            {"id": "grp", "bcr": ["processor"], "bcr_approved": "2024-01-01"},
            (
                "the group's approved BCR-P can cover this flow once it is listed in "
                "their scope."
            ),
        ),
        (
            "processor",
            {"id": "grp"},
            (
                "where hq-de processes for another group member, the group's "
                "controller BCRs (BCR-C) can cover this flow once their scope "
                "includes that processing; processor BCRs serve controllers outside "
                "the group. Otherwise SCC module 3."
            ),
        ),
    ],
)
def test_bcr_advice_follows_role_and_approved_rules(
    role: str, group: dict[str, object], text: str
) -> None:
    value = document(
        entities=[entity("hq-de", group="grp"), entity("us-cloud", "US", group="grp")],
        flows=[flow("b", "hq-de", "us-cloud", exporter_role=role)],
        groups=[group],
    )
    assert _advice(value, "b")[Action.BCR] == (
        _GROUP + text,
        ("GDPR Art. 46(2)(b)", "GDPR Art. 47"),
    )


_SCC = ("GDPR Art. 46(2)(c)", "Commission Implementing Decision (EU) 2021/914")


@pytest.mark.parametrize(
    ("inbound", "extra", "groups", "terms", "source"),
    [
        (
            {"mechanism": "bcr"},
            {"group": "grp"},
            [{"id": "grp", "bcr": ["controller"], "bcr_approved": "2024-01-01"}],
            "the onward-transfer rules of the group's BCRs (flow a)",
            "GDPR Art. 47(2)",
        ),
        (
            {"mechanism": "dpf"},
            {"certifications": ["dpf"]},
            None,
            (
                "the DPF Accountability for Onward Transfer Principle (flow a "
                "relies on the DPF)"
            ),
            "EU-US DPF Principles, Accountability for Onward Transfer",
        ),
        (
            {"mechanism": "derogation:consent", "frequency": "occasional"},
            {},
            None,
            "the terms of flow a (derogation:consent)",
            "GDPR Art. 44",
        ),
        (
            {"mechanism": "derogation:consent", "frequency": "occasional"},
            {"certifications": ["dpf"]},
            None,
            "the terms of flow a (derogation:consent)",
            "GDPR Art. 44",
        ),
        (
            {"mechanism": "bcr", "scc_module": 2},
            {"group": "grp"},
            [{"id": "grp", "bcr": ["controller"], "bcr_approved": "2024-01-01"}],
            "the onward-transfer rules of the group's BCRs (flow a)",
            "GDPR Art. 47(2)",
        ),
    ],
)
def test_onward_advice_names_the_terms_the_data_came_under(
    inbound: dict[str, object],
    extra: dict[str, object],
    groups: list[dict[str, object]] | None,
    terms: str,
    source: str,
) -> None:
    value = document(
        entities=[entity("hq-de"), entity("mid", "US", **extra), entity("in", "IN")],
        flows=[
            flow("a", "hq-de", "mid", **inbound),
            flow("b", "mid", "in", exporter_role="processor"),
        ],
        **({"groups": groups} if groups is not None else {}),
    )
    assert _advice(value, "b")[Action.SCC] == (
        (
            "Sign the 2021 SCCs, module 3 (processor to processor), for flow b. As an "
            f"onward transfer, it must also meet {terms}, under which the data reached "
            "mid."
        ),
        (*_SCC, source),
    )


def _in_india(
    day: date | str = DAY, **extra: object
) -> dict[Action, tuple[str, tuple[str, ...]]]:
    """The advice on an SCC flow (module 2) to India, a destination without adequacy."""
    value = document(
        entities=[entity("hq-de"), entity("in", "IN")],
        flows=[flow("x", "hq-de", "in", mechanism="scc", scc_module=2, **extra)],
    )
    return _advice(value, "x", day)


def test_encryption_advice_notes_exporter_held_keys() -> None:
    cited = ("EDPB Recommendations 01/2020, Annex 2, use case 1",)
    assert _in_india(importer_access="encrypted")[Action.SUPPLEMENTARY_MEASURES] == (
        (
            "Encrypt the data with state-of-the-art encryption and keys held only "
            "by the exporter in the EEA or an adequate country (EDPB use case 1)."
        ),
        cited,
    )
    held = _in_india(importer_access="encrypted", measures=["exporter_held_keys"])
    assert held[Action.SUPPLEMENTARY_MEASURES] == (
        (
            "Keep the data encrypted with keys held only in the EEA or an adequate "
            "country (in place: exporter-held keys)."
        ),
        cited,
    )


#: After Schrems II, before the EDPB's Recommendations 01/2020: no use case to name.
_UNGUIDED = "2020-09-01"
_SCHREMS = ("CJEU C-311/18 (Schrems II)",)


@pytest.mark.parametrize("purpose", ["advertising", "custom-audiences"])
def test_matching_importer_before_the_edpb_text(purpose: str) -> None:
    advice = _in_india(_UNGUIDED, importer_access="pseudonymised", purposes=[purpose])
    assert advice[Action.SUPPLEMENTARY_MEASURES] == (
        (
            "The importer of flow x matches the pseudonymised identifiers against data "
            "it holds itself, so pseudonymisation does not keep them from it; "
            "treat the data as seen in clear."
        ),
        _SCHREMS,
    )


def test_matching_purpose_written_with_hyphens() -> None:
    advice = _in_india(importer_access="pseudonymised", purposes=["custom-audiences"])
    detail, cited = advice[Action.SUPPLEMENTARY_MEASURES]
    assert detail.startswith("The importer of flow x matches the pseudonymised")
    assert cited == ("EDPB Recommendations 01/2020, Annex 2, use case 6",)


def test_anonymisable_purpose_written_with_hyphens() -> None:
    value = document(
        entities=[entity("hq-de"), entity("in", "IN")],
        flows=[
            flow("x", "hq-de", "in", purposes=["product-improvement", "statistics"])
        ],
    )
    detail, cited = _advice(value, "x")[Action.ANONYMISE]
    assert detail.startswith(
        "Consider whether the purposes of flow x (product-improvement, statistics) "
        "can be served by anonymous data"
    )
    assert cited == (
        "GDPR Recital 26",
        "WP29 Opinion 05/2014 on Anonymisation Techniques",
    )


def test_clear_text_advice_before_the_edpb_text() -> None:
    advice = _in_india(_UNGUIDED, importer_access="cleartext")
    assert advice[Action.TIA][1] == _SCHREMS
    assert advice[Action.SUPPLEMENTARY_MEASURES] == (
        (
            "The importer of flow x sees the data in clear: if the destination's law "
            "allows disproportionate access by public authorities, no effective "
            "technical measure is known; add contractual and organisational measures "
            "and weigh the transfer."
        ),
        _SCHREMS,
    )
    ok = _in_india(_UNGUIDED, importer_access="cleartext", tia="2020-08-01")
    assert ok == {
        Action.SUPPLEMENTARY_MEASURES: (
            (
                "The importer of flow x sees the data in clear in a destination "
                "without an adequacy decision: if its law allows disproportionate "
                "access by public authorities, no effective technical measure is "
                "known. The transfer impact assessment's conclusion must address this."
            ),
            _SCHREMS,
        )
    }


@pytest.mark.parametrize(
    ("day", "cited"),
    [
        ("2020-11-09", _SCHREMS),
        (
            "2020-11-10",
            ("EDPB Recommendations 02/2020 (European Essential Guarantees)",),
        ),
        (
            "2020-11-11",
            ("EDPB Recommendations 02/2020 (European Essential Guarantees)",),
        ),
    ],
)
def test_legal_review_cites_the_guarantees_from_their_adoption(
    day: str, cited: tuple[str, ...]
) -> None:
    # Before the EDPB adopted the European Essential Guarantees (10 Nov 2020), the
    # review of the destination's law rests on the judgment itself, not on nothing.
    advice = _in_india(day, importer_access="cleartext")
    assert advice[Action.LEGAL_REVIEW] == (
        (
            "Have counsel assess the destination's law and practice on public "
            "authorities' access for flow x, since the data is in clear."
        ),
        cited,
    )


def test_gap_before_the_edpb_text_asks_a_plain_tia() -> None:
    value = document(
        entities=[entity("hq-de"), entity("in", "IN")], flows=[flow("x", "hq-de", "in")]
    )
    assert _advice(value, "x", _UNGUIDED)[Action.TIA] == (
        (
            "Assess the destination's law and practice for flow x in a transfer impact "
            "assessment."
        ),
        _SCHREMS,
    )


def _with_tia(
    country: str, day: str, reached: dict[str, str]
) -> tuple[Status, dict[Action, tuple[str, tuple[str, ...]]]]:
    """An SCC flow seen in clear with a TIA record whose answers name the laws."""
    record = {"date": day, "answers": {"data_form": "clear", "reached": reached}}
    value = document(
        entities=[entity("hq-de"), entity("imp", country)],
        flows=[
            flow(
                "x", "hq-de", "imp", mechanism="scc", scc_module=2,
                importer_access="cleartext", tia=record,
            )
        ],
    )  # fmt: skip
    finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("x")
    advice = {
        item.action: (item.detail, item.citations) for item in finding.recommendations
    }
    return finding.status, advice


_NOT_IN_INDIA = {
    "in-it-act-s69": "no",
    "in-telecom-act-s20": "no",
    "in-telegraph-act-s5": "no",
}


def test_a_tia_that_says_stop_gets_no_measures_to_add() -> None:
    status, advice = _with_tia("RU", "2026-09-01", {"ru-sorm": "yes"})
    assert status is Status.GAP
    assert list(advice) == [Action.STOP_TRANSFER]


def test_a_current_tia_that_finds_no_law_reaching_needs_no_advisory() -> None:
    assert _with_tia("IN", "2026-09-01", _NOT_IN_INDIA) == (Status.OK, {})


def test_an_old_tia_keeps_the_measures_advice() -> None:
    status, advice = _with_tia("IN", "2025-01-01", _NOT_IN_INDIA)
    assert status is Status.ATTENTION
    assert list(advice) == [Action.TIA, Action.SUPPLEMENTARY_MEASURES]
    assert advice[Action.SUPPLEMENTARY_MEASURES][1] == (
        "EDPB Recommendations 01/2020, Annex 2, use cases 6 and 7",
    )


def _onward_from(country: str) -> tuple[str, tuple[str, ...]]:
    """The SCC advice on a flow onward from an importer given its data by adequacy."""
    value = document(
        entities=[entity("hq-de"), entity("mid", country), entity("in", "IN")],
        flows=[
            flow("a", "hq-de", "mid", mechanism="adequacy"),
            flow("b", "mid", "in", exporter_role="processor"),
        ],
    )
    return _advice(value, "b")[Action.SCC]


def test_onward_from_a_country_without_named_onward_rules() -> None:
    decision = "Commission Decision 2011/61/EU"
    rules = "the onward-transfer rules of the law of Israel"
    assert _onward_from("IL") == (
        (
            f"Flow b is an onward transfer of data that reached mid under {decision}, "
            f"which relies on the destination's own onward-transfer rules ({rules}): "
            "put in place what those rules accept, for example a contract giving "
            "equivalent protection such as SCC module 3 (processor to processor)."
        ),
        (rules, decision),
    )


def test_onward_from_a_certification_framework_names_the_inbound_terms() -> None:
    assert _onward_from("US") == (
        (
            "Sign the 2021 SCCs, module 3 (processor to processor), for flow b. As an "
            "onward transfer, it must also meet the terms of flow a (adequacy), under "
            "which the data reached mid."
        ),
        (*_SCC, "GDPR Art. 44"),
    )


def test_transit_only_importer_is_told_to_check_its_access() -> None:
    assert _in_india(importer_access="none")[Action.SUPPLEMENTARY_MEASURES] == (
        (
            "For data in transit through the importer of flow x, encrypt it end to "
            "end with state-of-the-art encryption and keys held only by the exporter "
            "and the final recipient (EDPB use case 3). An importer that routes the "
            "traffic sees at least IP addresses and other metadata, which are "
            "personal data: check that importer_access 'none' is right."
        ),
        ("EDPB Recommendations 01/2020, Annex 2, use case 3",),
    )
