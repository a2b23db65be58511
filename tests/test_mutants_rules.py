"""
What the reasons and requests of the rules say, where the mutation run found no test.

The verdicts are asserted by the scenario files; these tests read the texts and
citations a reader acts on: which party is not a public body, which condition of the
BCRs failed, which article a request cites. Each expected text was read against the
rule it comes from (docs/testing.md lists the mutation run these tests answer).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import Finding, assess, parse_map
from transfer_assess.rules import rule

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
DAY = date(2026, 11, 28)
#: The citation of the FDPIC's recognition of the 2021 SCCs (reference data).
RECOGNITION = (
    "FDPIC recognition of 27 August 2021 of the SCCs in Commission Implementing "
    "Decision (EU) 2021/914; FADP Art. 16(2)(d) (former FADP Art. 6(2)(a) until "
    "2023-08-31)"
)


#: The citations of the rule UK.TOOL.
UK_TOOL = ("UK GDPR Art. 46(2)(d)", "DPA 2018 s.119A")
#: The UK regime's citation for standard clauses (reference data).
UK_CLAUSES = (
    "UK GDPR Art. 46(2)(d) (clauses issued by the Commissioner under DPA 2018 s.119A)"
)
#: The UK regime's citation for adequacy (reference data, from 2026-02-05).
UK_ADEQUACY = (
    "UK GDPR Art. 45A (transfers approved by regulations); DPA 2018 Sch. 21 paras "
    "4-5 for the list kept from 2020"
)


def scenario(stem: str, flow_id: str, regime: str = "EU") -> Finding:
    """The finding of one flow of a scenario file, under one regime."""
    value: dict[str, Any] = yaml.safe_load(
        (SCENARIOS / f"{stem}.yaml").read_text(encoding="utf-8")
    )
    day = value["as_of"]
    datamap = parse_map(json.dumps(value["map"], default=str), format="json")
    return assess(datamap, as_of=day).finding(flow_id, regime)


def reason(finding: Finding, rule_id: str) -> tuple[str, tuple[str, ...]]:
    """The text and citations of the reason `rule_id` gave."""
    (found,) = [item for item in finding.reasons if item.rule == rule_id]
    return found.text, found.citations


def request(finding: Finding, action: str) -> tuple[str, tuple[str, ...]]:
    """The detail and citations of the first recommendation of `action`."""
    found = [item for item in finding.recommendations if item.action.value == action]
    return found[0].detail, found[0].citations


def test_an_unknown_rule_id_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match=r"EU\.NO\.SUCH\.RULE"):
        rule("EU.NO.SUCH.RULE")


class TestPublicBodies:
    """Instruments (Art. 46(2)(a)) and arrangements (Art. 46(3)(b)) of public bodies."""

    PUBLIC = "public-body-instrument"
    ARTICLES = ("GDPR Art. 46(2)(a)", "GDPR Art. 46(3)(b)")

    def test_between_two_public_bodies(self) -> None:
        finding = scenario(f"50-{self.PUBLIC}", "f1")
        text, citations = reason(finding, "EU.PUBLIC_BODY.INSTRUMENT")
        assert text == (
            "Flow f1 runs from the public body Bundesamt fuer Beispiele (de-agency, "
            "DE) to another public body, Australian Example Agency (au-agency, AU), "
            "under a binding instrument or arrangement, whose terms (and, for an "
            "arrangement, authorisation) must be verified."
        )
        assert citations == (*self.ARTICLES, "EDPB Guidelines 2/2020")
        assert request(finding, "legal_review") == (
            (
                "Verify the instrument between the public bodies of flow f1 and, "
                "for an administrative arrangement, the supervisory authority's "
                "authorisation."
            ),
            self.ARTICLES,
        )

    def test_to_an_international_organisation(self) -> None:
        finding = scenario("119-public-body-to-international-organisation", "f1")
        text, _ = reason(finding, "EU.PUBLIC_BODY.INSTRUMENT")
        assert "Bundesagentur (de-agency, DE) to an international organisation, " in (
            text
        )

    @pytest.mark.parametrize(
        ("stem", "flow_id", "private"),
        [
            (f"50-{PUBLIC}", "f3", "Example Pty Ltd (au-company, AU)"),
            ("119-public-body-to-international-organisation", "f2", "Firm GmbH"),
        ],
    )
    def test_the_private_end_is_named(
        self, stem: str, flow_id: str, private: str
    ) -> None:
        finding = scenario(stem, flow_id)
        text, _ = reason(finding, "EU.PUBLIC_BODY.INSTRUMENT")
        assert text.startswith(
            f"Flow {flow_id} relies on an instrument between public bodies, but "
            f"{private}"
        )
        assert text.endswith(" is not a public authority or body.")
        assert request(finding, "fix_mechanism") == (
            (
                f"An instrument between public bodies cannot serve flow {flow_id}; use "
                "another tool."
            ),
            ("GDPR Art. 46(2)(a)",),
        )


class TestApprovedTools:
    """Ad hoc clauses, codes of conduct, certifications (Art. 46(2)(e), (f), (3)(a))."""

    @pytest.mark.parametrize(
        ("flow_id", "words"),
        [("f1", "ad hoc clauses"), ("f2", "code of conduct"), ("f3", "certification")],
    )
    def test_the_tool_is_named_in_words(self, flow_id: str, words: str) -> None:
        finding = scenario("202-onward-under-every-tool", flow_id)
        text, citations = reason(finding, "EU.ART46.APPROVAL")
        assert text == (
            f"Flow {flow_id} relies on {words}; the approval or authorisation and the "
            "importer's binding commitments must be verified."
        )
        assert citations == (
            "GDPR Art. 46(2)(e)",
            "GDPR Art. 46(2)(f)",
            "GDPR Art. 46(3)(a)",
        )
        assert request(finding, "legal_review") == (
            (
                f"Verify the approval of the {words} for flow {flow_id} and the "
                "importer's binding, enforceable commitments."
            ),
            ("GDPR Art. 46",),
        )


class TestUkBcr:
    """Which condition of the BCRs failed, in the reason and in the request."""

    BCR = "UK GDPR Art. 46(2)(b) and Art. 47"

    @pytest.mark.parametrize(
        ("flow_id", "failure"),
        [
            ("f3", "Vendor Pvt Ltd (in-vendor, IN) is not in the group acme"),
            ("f4", "Solo UK Ltd (gb-solo, GB) belongs to no group"),
            (
                "f5",
                (
                    "Acme Late Pvt Ltd (in-late, IN) acceded to the group's BCRs "
                    "only on 2026-11-29"
                ),
            ),
            ("f6", "the group beta's BCRs do not serve a controller exporter"),
        ],
    )
    def test_each_failure_is_named(self, flow_id: str, failure: str) -> None:
        finding = scenario("203-uk-bcr-conditions", flow_id, "UK")
        assert reason(finding, "UK.BCR.GROUP") == (
            f"Flow {flow_id} relies on BCRs, but {failure}.",
            ("UK GDPR Art. 47",),
        )
        assert request(finding, "fix_mechanism") == (
            f"Do not rely on BCRs for flow {flow_id} under the UK GDPR: {failure}.",
            (self.BCR,),
        )

    def test_no_recorded_approval_names_the_field(self) -> None:
        # The group has an EU approval only.
        text = _uk_bcr_reason(approval={"bcr_approved": "2020-01-01"})
        assert text == (
            "Flow f relies on BCRs, but the group's BCRs were not approved under the "
            "UK GDPR by 2026-11-28 (no recorded date; the map's bcr_approved_uk)."
        )


class TestSwissSccs:
    """The EU SCCs under the revised FADP: the Swiss adaptations, the recognition."""

    def test_without_the_adaptations(self) -> None:
        finding = scenario("204-ch-sccs-module-and-adaptations", "f2", "CH")
        assert reason(finding, "CH.SCC.ADAPTATIONS") == (
            (
                "The map does not say that the EU SCCs of flow f2 carry the Swiss "
                "adaptations (scc_adaptations: [CH]); without them they do not meet "
                "the FDPIC's recognition."
            ),
            (RECOGNITION,),
        )
        assert request(finding, "fix_mechanism") == (
            (
                "Add the Swiss adaptations to the EU SCCs of flow f2 (FDPIC as "
                "supervisory authority, Switzerland as a place of suit, the FADP read "
                "for the GDPR), then declare scc_adaptations: [CH]."
            ),
            ("FADP Art. 16(2)(d)",),
        )


class TestFallback:
    """EU.ADEQUACY.FALLBACK: declared SCCs that fit settle an adequacy question."""

    def test_the_fallback_reason_follows_the_declared_tool(self) -> None:
        finding = scenario("201-adequacy-attention-settled-by-declared-sccs", "f1")
        rules = list(finding.rules)
        assert rules.index("EU.ADEQUACY.HR_DATA") < rules.index("EU.SCC.MODULE")
        assert rules.index("EU.SCC.MODULE") < rules.index("EU.ADEQUACY.FALLBACK")
        assert reason(finding, "EU.ADEQUACY.FALLBACK")[0] == (
            "The adequacy question above needs attention, but the declared scc fits "
            "flow f1 with nothing to do, so it carries the flow."
        )
        assert finding.recommendations == ()


class TestDerogationTexts:
    """Why an Art. 49 derogation cannot serve a flow, with the article that says so."""

    def test_closed_to_a_public_authority(self) -> None:
        finding = scenario("49-derogation-public-authority-exporter", "f1")
        assert reason(finding, "EU.DEROGATION.PUBLIC_AUTHORITY") == (
            (
                "Bundesamt fuer Beispiele (de-agency, DE) is a public authority; "
                "assuming it acts in the exercise of its public powers, it cannot "
                "rely on the consent derogation."
            ),
            ("GDPR Art. 49(3)",),
        )

    @pytest.mark.parametrize(
        ("stem", "flow_id", "said", "ending", "citations"),
        [
            (
                "118-derogation-scale", "f-vital-regular", "EU.DEROGATION.FREQUENCY",
                ("is regular; the vital interests derogation serves emergencies, not "
                "a regular or continuous flow."),
                ("GDPR Art. 49(1)(f)", "EDPB Guidelines 2/2018"),
            ),
            (
                "206-public-interest-to-a-foreign-authority", "f1", "legal_review",
                ("(Art. 49(4)); a request from a foreign authority is recognised or "
                "enforceable only under an international agreement such as a mutual "
                "legal assistance treaty, whose requests the requested state's own "
                "authority executes (Art. 48)."),
                ("GDPR Art. 49(1)(d)", "GDPR Art. 49(4)", "GDPR Art. 48"),
            ),
        ],
    )  # fmt: skip
    def test_emergencies_and_foreign_requests(
        self,
        stem: str,
        flow_id: str,
        said: str,
        ending: str,
        citations: tuple[str, ...],
    ) -> None:
        # A rule id names a reason, an action a recommendation.
        finding = scenario(stem, flow_id)
        text, cited = reason(finding, said) if "." in said else request(finding, said)
        assert text.endswith(ending)
        assert cited == citations

    @pytest.mark.parametrize(
        ("stem", "action", "asked"),
        [
            (
                "44-derogation-consent", "consent",
                (("Keep proof that each data subject of flow f1 gave explicit consent "
                 "to this transfer after being told it has no adequacy decision or "
                 "safeguards and what the risks are."),
                 ("GDPR Art. 49(1)(a)", "EDPB Guidelines 2/2018")),
            ),
            (
                "46-derogation-compelling-legitimate-interests", "legal_review",
                (("Document why the compelling legitimate interests derogation's "
                 "conditions are met for flow f1: the transfer is not repetitive and "
                 "concerns only a limited number of data subjects; inform the "
                 "supervisory authority of the transfer, and the data subjects of it "
                 "and of the compelling legitimate interests pursued; record the "
                 "assessment and the safeguards (Art. 49(1) second subparagraph, Art. "
                 "49(6))."),
                 ("GDPR Art. 49(1), second subparagraph", "GDPR Art. 49(6)")),
            ),
            (
                "47-derogation-public-interest-continuous", "legal_review",
                (("Document why the public interest derogation's conditions are met "
                 "for flow f1, naming the Union or member-state law that recognises "
                 "the public interest (Art. 49(4))."),
                 ("GDPR Art. 49(1)(d)", "GDPR Art. 49(4)")),
            ),
            (
                "47-derogation-public-interest-continuous", "scc",
                (("Flow f1 is continuous: a derogation should not become the rule; "
                 "move it to a durable transfer tool."),
                 ("EDPB Guidelines 2/2018",)),
            ),
        ],
    )  # fmt: skip
    def test_what_an_exception_asks_for(
        self, stem: str, action: str, asked: tuple[str, tuple[str, ...]]
    ) -> None:
        assert request(scenario(stem, "f1"), action) == asked


@pytest.mark.parametrize("mechanism", ["dpf", "adequacy"])
def test_onward_from_a_dpf_importer_names_no_onward_rules(mechanism: str) -> None:
    # The DPF decision covers certified organisations, not the United States' own
    # law: the onward reason names no onward rules of the destination, whether the
    # inbound flow declared the DPF or adequacy.
    value = document(
        entities=[
            entity("hq-de"),
            entity("us-aff", "US", certifications=["dpf"]),
            entity("in-vendor", "IN"),
        ],
        flows=[
            flow(
                "f3",
                "hq-de",
                "us-aff",
                importer_role="controller",
                mechanism=mechanism,
            ),
            flow("f4", "us-aff", "in-vendor", mechanism="none"),
        ],
    )
    finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("f4")
    text, _ = reason(finding, "EU.SCOPE.ONWARD")
    assert text.endswith(
        "it reached us-aff along hq-de → us-aff. Passing it to in-vendor Ltd "
        "(in-vendor, IN) in the third country IN is an onward transfer."
    )


UK_CONSENT = ("UK GDPR Art. 49(1)(a)",)
UK_PUBLIC = ("UK GDPR Art. 46(2)(a)",)
CH_PUBLIC = ("FADP Art. 16(2)(a)",)


@pytest.mark.parametrize(
    ("flow_id", "regime", "rule_id", "said", "action", "asked"),
    [
        (
            "f1", "UK", "UK.DEROGATION",
            (("Flow f1 relies on the consent exception (UK GDPR Art. 49(1)(a)), which "
             "can serve this one-off flow; exceptions are a last resort and must be "
             "documented."), UK_CONSENT),
            "legal_review",
            ("Document why the consent exception's conditions are met for flow f1.",
             UK_CONSENT),
        ),
        (
            "f2", "UK", "UK.DEROGATION",
            (("Flow f2 relies on the consent exception (UK GDPR Art. 49(1)(a)), but it "
             "serves only occasional, non-repetitive transfers and the flow is "
             "continuous."), UK_CONSENT),
            "fix_mechanism",
            (("The consent exception cannot carry flow f2; put a transfer tool in "
             "place."), UK_CONSENT),
        ),
        (
            "f3", "UK", "UK.DEROGATION",
            (("Flow f3 relies on the consent exception (UK GDPR Art. 49(1)(a)), but a "
             "public authority cannot rely on it in the exercise of its powers."),
             UK_CONSENT),
            "fix_mechanism",
            (("The consent exception cannot carry flow f3; put a transfer tool in "
             "place."), UK_CONSENT),
        ),
        (
            "f4", "CH", "CH.DEROGATION",
            (("Flow f4 relies on the compelling legitimate interests exception, which "
             "the FADP does not have."), ("FADP Art. 17",)),
            "fix_mechanism",
            ("Put one of the FADP's tools in place for flow f4.", ("FADP Art. 16(2)",)),
        ),
        (
            "f6", "UK", "UK.PUBLIC_BODY.INSTRUMENT",
            (("Flow f6 runs between two public bodies under a binding instrument, "
             "whose terms must be verified."), UK_PUBLIC),
            "legal_review",
            ("Verify the instrument between the public bodies of flow f6.", UK_PUBLIC),
        ),
        (
            "f7", "UK", "UK.PUBLIC_BODY.INSTRUMENT",
            (("Flow f7 relies on an instrument between public bodies, but not both "
             "ends are public bodies."), UK_PUBLIC),
            "fix_mechanism",
            ("An instrument between public bodies cannot serve flow f7.", UK_PUBLIC),
        ),
        (
            "f8", "CH", "CH.PUBLIC_BODY.INSTRUMENT",
            (("Flow f8 runs between two public bodies under a binding instrument, "
             "whose terms must be verified."), CH_PUBLIC),
            "legal_review",
            ("Verify the instrument between the public bodies of flow f8.", CH_PUBLIC),
        ),
    ],
)  # fmt: skip
def test_uk_and_swiss_exceptions_and_public_bodies(
    flow_id: str,
    regime: str,
    rule_id: str,
    said: tuple[str, tuple[str, ...]],
    action: str,
    asked: tuple[str, tuple[str, ...]],
) -> None:
    finding = scenario("200-uk-ch-derogations-and-public-bodies", flow_id, regime)
    assert reason(finding, rule_id) == said
    assert request(finding, action) == asked


def test_the_trade_agreements_bridge_is_cited() -> None:
    # From 2021-01-01 to 2021-06-27 data sent to the UK was not treated as going to a
    # third country (EU-UK Trade and Cooperation Agreement, Art. FINPROV.10A).
    value = document(
        entities=[entity("hq-de"), entity("gb-ltd", "GB")],
        flows=[flow("f", "hq-de", "gb-ltd")],
    )
    finding = assess(parse_map(as_yaml(value)), as_of=date(2021, 3, 1)).finding("f")
    assert reason(finding, "EU.SCOPE.EEA") == (
        (
            "gb-ltd Ltd (gb-ltd, GB) is not in the EEA, but on 2021-03-01 GB is under "
            "the EU-UK Trade and Cooperation Agreement's bridge, which treated "
            "transfers to it as not going to a third country: flow f from hq-de Ltd "
            "(hq-de, DE) is not a transfer to a third country."
        ),
        ("GDPR Art. 44", "TCA Art. FINPROV.10A"),
    )


@pytest.mark.parametrize(
    ("exporter", "country", "why"),
    [
        ("hq-de", "DE", "is established in the EEA"),
        # From 2021-01-01 the UK is outside the EEA as an exporter, though inside
        # for importers under the bridge until 2021-06-27.
        ("gb-ltd", "GB", "is subject to the GDPR under Art. 3(2)"),
        ("us-shop", "US", "is subject to the GDPR under Art. 3(2)"),
    ],
)
def test_why_an_exporter_is_subject_to_the_gdpr(
    exporter: str, country: str, why: str
) -> None:
    value = document(
        entities=[entity(exporter, country, subject_to_gdpr=True), entity("in", "IN")],
        flows=[flow("f", exporter, "in")],
    )
    finding = assess(parse_map(as_yaml(value)), as_of=date(2021, 3, 1)).finding("f")
    text, _ = reason(finding, "EU.SCOPE.TRANSFER")
    assert text == (
        f"{exporter} Ltd ({exporter}, {country}) {why} and discloses personal data "
        "to in Ltd (in, IN) in the third country IN: a transfer under Chapter V."
    )


def test_an_onward_reason_names_each_chain_with_its_categories() -> None:
    value = document(
        entities=[entity("hq-de"), entity("fr-sa", "FR"), entity("us", "US"),
                  entity("in", "IN")],
        flows=[
            flow("a", "hq-de", "us",
                 data_categories=["user.contact.email", "user.name"]),
            flow("b", "fr-sa", "us", data_categories=["user.contact.phone_number"]),
            flow("c", "us", "in", exporter_role="processor",
                 data_categories=["user.contact.email", "user.name",
                                  "user.contact.phone_number"]),
        ],
    )  # fmt: skip
    finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("c")
    text, _ = reason(finding, "EU.SCOPE.ONWARD")
    assert (
        "it reached us along hq-de → us (user.contact.email, user.name); along "
        "fr-sa → us (user.contact.phone_number), each chain along flows that "
        "carried them." in text
    )


@pytest.mark.parametrize(
    ("stem", "flow_id", "regime", "rule_id", "said"),
    [
        (
            "203-uk-bcr-conditions", "f1", "UK", "UK.BCR.GROUP",
            (("Acme UK Ltd (gb-ltd, GB) and Acme India Pvt Ltd (in-aff, IN) are bound "
             "by the BCRs of acme, approved under the UK GDPR on 2026-11-28."),
             ("UK GDPR Art. 46(2)(b) and Art. 47",)),
        ),
        (
            "204-ch-sccs-module-and-adaptations", "f1", "CH", "CH.SCC.ADAPTATIONS",
            (("The EU SCCs of flow f1 carry the Swiss adaptations the FDPIC required "
             "when it recognised them."), (RECOGNITION,)),
        ),
    ],
)  # fmt: skip
def test_what_a_fitting_tool_says(
    stem: str,
    flow_id: str,
    regime: str,
    rule_id: str,
    said: tuple[str, tuple[str, ...]],
) -> None:
    # BCRs approved on the day name the approval; adapted Swiss SCCs cite the
    # FDPIC's recognition.
    assert reason(scenario(stem, flow_id, regime), rule_id) == said


def test_a_continuous_flow_of_a_uk_authority_is_refused_for_its_frequency() -> None:
    # Both conditions fail; the reason names the frequency, which no exporter can
    # overcome, rather than the authority's powers.
    value = document(
        entities=[
            entity("gb-agency", "GB", kind="public_authority", sector="public"),
            entity("in", "IN"),
        ],
        flows=[flow("f", "gb-agency", "in", mechanism="derogation:consent")],
    )
    finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("f", "UK")
    assert reason(finding, "UK.DEROGATION")[0] == (
        "Flow f relies on the consent exception (UK GDPR Art. 49(1)(a)), but it "
        "serves only occasional, non-repetitive transfers and the flow is continuous."
    )


def _uk_bcr_reason(
    *,
    approval: dict[str, str],
    exporter_accession: str | None = None,
    importer_accession: str | None = None,
) -> str:
    """The UK BCR reason for one flow between two members of a group."""
    source = entity("gb-ltd", "GB", group="acme")
    target = entity("in-aff", "IN", group="acme")
    for party_, accession in (
        (source, exporter_accession),
        (target, importer_accession),
    ):
        if accession is not None:
            party_["bcr_accession"] = accession
    value = document(
        entities=[source, target],
        flows=[
            flow(
                "f",
                "gb-ltd",
                "in-aff",
                importer_role="controller",
                mechanism="bcr",
                tia="2026-06-01",
            )
        ],
        groups=[
            {
                "id": "acme",
                "name": "Acme",
                "bcr": ["controller"],
                **approval,
            }
        ],
    )
    finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("f", "UK")
    return reason(finding, "UK.BCR.GROUP")[0]


def test_both_late_accessions_are_named() -> None:
    # Each party that acceded after the assessment day is named, the two joined by
    # a semicolon.
    assert _uk_bcr_reason(
        approval={"bcr_approved_uk": "2020-01-01"},
        exporter_accession="2026-11-29",
        importer_accession="2026-11-30",
    ) == (
        "Flow f relies on BCRs, but gb-ltd Ltd (gb-ltd, GB) acceded to the group's "
        "BCRs only on 2026-11-29; in-aff Ltd (in-aff, IN) acceded to the group's "
        "BCRs only on 2026-11-30."
    )


def test_an_approval_after_the_day_names_its_date() -> None:
    assert _uk_bcr_reason(approval={"bcr_approved_uk": "2026-11-29"}) == (
        "Flow f relies on BCRs, but the group's BCRs were not approved under the "
        "UK GDPR by 2026-11-28 (2026-11-29; the map's bcr_approved_uk)."
    )


@pytest.mark.parametrize(
    ("regime", "country", "certifies", "decision"),
    [
        (
            "UK", "GB", "dpf, dpf-uk",
            ("The Data Protection (Adequacy) (United States of America) "
             "Regulations 2023"),
        ),
        (
            "CH", "CH", "dpf-ch",
            "Annex 1 DPO as amended by the Federal Council decision of 14 August 2024",
        ),
    ],
)  # fmt: skip
def test_certifying_is_offered_where_it_would_suffice(
    regime: str, country: str, certifies: str, decision: str
) -> None:
    # An uncertified US importer could be covered by the regime's decision for
    # certified organisations once it certifies; the advice names what it must
    # certify under.
    value = document(
        entities=[entity("src", country), entity("us", "US", kind="service_provider")],
        flows=[flow("f", "src", "us")],
    )
    finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("f", regime)
    detail, citations = request(finding, "dpf")
    assert detail.startswith(f"If us certifies ({certifies}), {decision} would cover")
    assert citations[1] == decision


@pytest.mark.parametrize(
    ("exporter", "private"),
    [
        # Public by its kind alone, by its sector alone: the other end is named.
        ({"kind": "public_authority", "sector": "private"}, "au Ltd (au, AU)"),
        ({"kind": "affiliate", "sector": "public"}, "au Ltd (au, AU)"),
        ({"kind": "affiliate", "sector": "private"}, "de Ltd (de, DE)"),
    ],
)
def test_the_party_that_is_not_public_is_named(
    exporter: dict[str, str], private: str
) -> None:
    value = document(
        entities=[entity("de", "DE", **exporter), entity("au", "AU")],
        flows=[flow("f", "de", "au", mechanism="public_body_instrument")],
    )
    finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("f", "EU")
    assert reason(finding, "EU.PUBLIC_BODY.INSTRUMENT")[0] == (
        f"Flow f relies on an instrument between public bodies, but {private} is "
        "not a public authority or body."
    )


class TestUkEuSccsAlone:
    """What a UK exporter relying on EU SCCs alone is told, from 2021 to 2022."""

    def finding(self, day: date) -> Finding:
        value = document(
            entities=[entity("gb", "GB"), entity("in", "IN", kind="service_provider")],
            flows=[
                flow(
                    "f",
                    "gb",
                    "in",
                    exporter_role="processor",
                    importer_role="controller",
                    mechanism="scc",
                    scc_module=4,
                )
            ],
        )
        return assess(parse_map(as_yaml(value)), as_of=day).finding("f", "UK")

    def test_before_the_2021_clauses(self) -> None:
        finding = self.finding(date(2021, 6, 26))
        assert reason(finding, "UK.TOOL") == (
            (
                "On 2021-06-26 EU SCCs could only be the old clauses, which UK law "
                "kept for UK transfers."
            ),
            UK_TOOL,
        )
        assert request(finding, "legal_review") == (
            (
                "Check which contract covered flow f: the old clauses had no set for "
                "processor exporters."
            ),
            (UK_CLAUSES,),
        )

    def test_the_day_before_the_addendum(self) -> None:
        assert request(self.finding(date(2022, 3, 20)), "legal_review") == (
            (
                "Confirm that flow f rests on the old clauses kept by UK law; the EU "
                "2021 clauses alone do not serve a UK transfer, and the ICO's Addendum "
                "applies only from 2022-03-21."
            ),
            (UK_CLAUSES,),
        )

    def test_the_last_day_for_new_contracts_on_the_old_clauses(self) -> None:
        assert reason(self.finding(date(2022, 9, 21)), "UK.TOOL") == (
            (
                "On 2022-09-21 EU SCCs served a UK transfer only if they were the old "
                "clauses kept by UK law (new contracts on them until 2022-09-21); the "
                "EU 2021 clauses alone did not."
            ),
            UK_TOOL,
        )


@pytest.mark.parametrize(
    ("flow_id", "failure"),
    [
        ("f-solo", "Solo GmbH (de-solo, DE) belongs to no group"),
        ("f-bcr-p-only", "the group beta holds no BCR-C for a controller exporter"),
        ("f-no-bcr-p", "the group delta holds no BCR-P for a processor exporter"),
        (
            "f-both-late",
            (
                "Acme Late GmbH (de-late, DE) acceded to the group's BCRs only on "
                "2026-11-29; Acme Late India Pvt Ltd (in-late, IN) acceded to the "
                "group's BCRs only on 2026-11-30"
            ),
        ),
        (
            "f-no-approval",
            "the group's BCRs were not approved by 2026-11-28 (no recorded date)",
        ),
        ("f-onward", "Vendor Pte Ltd (sg-vendor, SG) is not in the group acme"),
    ],
)
def test_each_failed_eu_bcr_condition_is_named(flow_id: str, failure: str) -> None:
    # 209 holds every condition but a late approval, which 41 has.
    finding = scenario("209-eu-bcr-conditions", flow_id)
    assert reason(finding, "EU.BCR.GROUP") == (
        f"Flow {flow_id} relies on BCRs, but {failure}.",
        ("GDPR Art. 46(2)(b)", "GDPR Art. 47"),
    )
    assert request(finding, "fix_mechanism") == (
        f"Do not rely on BCRs for flow {flow_id}: {failure}.",
        ("GDPR Art. 47",),
    )


def test_an_eu_bcr_approval_after_the_day_names_its_date() -> None:
    finding = scenario("41-bcr-approved-after-as-of", "f1")
    assert reason(finding, "EU.BCR.GROUP")[0] == (
        "Flow f1 relies on BCRs, but the group's BCRs were not approved by 2026-11-28 "
        "(2027-03-01)."
    )


def test_a_module_that_does_not_fit_under_the_uk_gdpr() -> None:
    value = document(
        entities=[entity("gb", "GB"), entity("in", "IN", kind="service_provider")],
        flows=[flow("f", "gb", "in", mechanism="scc", scc_module=3, tia="2026-06-01")],
    )
    finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("f", "UK")
    assert reason(finding, "UK.SCC.MODULE")[0] == (
        "Flow f is controller to processor, which needs module 2; the map names "
        "module 3 for the SCCs."
    )
    assert request(finding, "fix_mechanism") == (
        "Sign module 2 (controller to processor) for flow f instead of module 3.",
        (UK_CLAUSES,),
    )


class TestUkAndSwissAlternatives:
    """The advice of the UK and Swiss rules for a flow with no tool (scenario 220)."""

    STEM = "220-uk-ch-alternatives"
    ANONYMISE = (
        "Consider whether the purposes of flow {flow} (analytics) can be served by "
        "anonymous data, such as aggregates: then anonymise before sending and test "
        "the result against singling out, linkability and inference. It may not fit: "
        "analytics, research and product improvement often need individual-level "
        "data, which stays personal data even when pseudonymised."
    )
    UK_REGULATIONS = (
        "The Data Protection (Adequacy) (United States of America) Regulations 2023"
    )
    SWISS_ANNEX = (
        "Annex 1 DPO as amended by the Federal Council decision of 14 August 2024"
    )
    CONSENT = (
        "For this occasional flow, the data subjects' explicit consent to the "
        "transfer, informed of its risks, is possible as a last resort."
    )
    PUBLIC = (
        "Both ends of flow {flow} are public bodies: a binding instrument between "
        "them can serve it."
    )

    def advice(
        self, flow_id: str, regime: str
    ) -> list[tuple[str, str, tuple[str, ...]]]:
        finding = scenario(self.STEM, flow_id, regime)
        return [
            (item.action.value, item.detail, item.citations)
            for item in finding.recommendations
            if item.action.value not in {"idta", "scc", "tia"}
        ]

    def test_uk(self) -> None:
        assert self.advice("f-uk", "UK") == [
            (
                "anonymise",
                self.ANONYMISE.format(flow="f-uk"),
                ("GDPR Recital 26", "WP29 Opinion 05/2014 on Anonymisation Techniques"),
            ),
            (
                "dpf",
                (
                    f"If us certifies (dpf, dpf-uk), {self.UK_REGULATIONS} would cover "
                    "flow f-uk under the UK GDPR."
                ),
                (
                    UK_ADEQUACY,
                    self.UK_REGULATIONS,
                ),
            ),
            (
                "bcr",
                (
                    "gb and us are in the group acme: binding corporate rules "
                    "approved under the UK GDPR (by the Information Commissioner's "
                    "Office (ICO)) can cover intra-group transfers."
                ),
                ("UK GDPR Art. 46(2)(b) and Art. 47",),
            ),
            ("consent", self.CONSENT, ("UK GDPR Art. 49(1)(a)",)),
        ]

    def test_switzerland(self) -> None:
        assert self.advice("f-ch", "CH") == [
            (
                "anonymise",
                self.ANONYMISE.format(flow="f-ch"),
                ("GDPR Recital 26", "WP29 Opinion 05/2014 on Anonymisation Techniques"),
            ),
            (
                "dpf",
                (
                    f"If us certifies (dpf-ch), {self.SWISS_ANNEX} would cover flow "
                    "f-ch under the FADP."
                ),
                ("FADP Art. 16(1); DPO Art. 8 and Annex 1", self.SWISS_ANNEX),
            ),
            (
                "bcr",
                (
                    "ch and us are in the group acme: binding corporate rules approved "
                    "under the FADP (by the Federal Data Protection and Information "
                    "Commissioner (FDPIC)) can cover intra-group transfers."
                ),
                ("FADP Art. 16(2)(e)",),
            ),
            ("consent", self.CONSENT, ("FADP Art. 17(1)(a)",)),
        ]

    def test_employees_data_needs_the_hr_certifications(self) -> None:
        (dpf,) = [item for item in self.advice("f-uk-hr", "UK") if item[0] == "dpf"]
        assert dpf[1].startswith(
            "If us certifies (dpf, dpf-uk, dpf-hr, dpf-uk-hr), "
            f"{self.UK_REGULATIONS} would cover flow f-uk-hr"
        )

    @pytest.mark.parametrize(
        ("flow_id", "regime", "article"),
        [
            ("f-uk-public", "UK", "UK GDPR Art. 46(2)(a)"),
            ("f-ch-public", "CH", "FADP Art. 16(2)(a)"),
        ],
    )
    def test_between_public_bodies(
        self, flow_id: str, regime: str, article: str
    ) -> None:
        assert self.advice(flow_id, regime) == [
            ("public_body_instrument", self.PUBLIC.format(flow=flow_id), (article,))
        ]

    def test_a_us_public_authority_is_not_offered_certification(self) -> None:
        assert self.advice("f-uk-to-us-agency", "UK") == []


class TestUkAndSwissToolsAndClaims:
    """What the UK and Swiss rules say of approved tools and claims (scenario 221)."""

    STEM = "221-uk-ch-approved-tools-and-claims"

    @pytest.mark.parametrize(
        ("flow_id", "regime", "tool", "authority", "article"),
        [
            (
                "f-uk-ad-hoc", "UK", "ad hoc clauses",
                "Information Commissioner's Office (ICO)", "UK GDPR Art. 46(3)(a)",
            ),
            (
                "f-uk-cert", "UK", "certification",
                "Information Commissioner's Office (ICO)",
                "UK GDPR Art. 46(1A) and 46(2)",
            ),
            (
                "f-ch-code", "CH", "code of conduct",
                "Federal Data Protection and Information Commissioner (FDPIC)",
                "FADP Art. 16(3); DPO Art. 12",
            ),
        ],
    )  # fmt: skip
    def test_an_approved_tool_cites_its_own_provision(
        self, flow_id: str, regime: str, tool: str, authority: str, article: str
    ) -> None:
        finding = scenario(self.STEM, flow_id, regime)
        assert reason(finding, f"{regime}.ART46.APPROVAL") == (
            (
                f"Flow {flow_id} relies on {tool}; its approval and the importer's "
                "binding commitments must be verified."
            ),
            (article,),
        )
        assert request(finding, "legal_review") == (
            f"Verify the approval of the {tool} for flow {flow_id} by the {authority}.",
            (article,),
        )

    @pytest.mark.parametrize(
        ("flow_id", "regime", "claim", "law", "article"),
        [
            ("f-uk-dpf", "UK", "dpf", "UK GDPR", "UK GDPR Art. 44A"),
            ("f-ch-adequacy", "CH", "adequacy", "FADP", "FADP Art. 16"),
        ],
    )
    def test_a_claim_no_finding_supports(
        self, flow_id: str, regime: str, claim: str, law: str, article: str
    ) -> None:
        finding = scenario(self.STEM, flow_id, regime)
        assert reason(finding, f"{regime}.MECHANISM.CLAIM")[0] == (
            f"Flow {flow_id} relies on {claim}, but no adequacy finding of the {law} "
            "covers Vendor Pvt Ltd (in, IN) on 2026-11-28."
        )
        assert request(finding, "fix_mechanism") == (
            (
                f"Replace the {claim} basis of flow {flow_id} with one of the {law}'s "
                "tools."
            ),
            (article,),
        )

    def test_a_stale_risk_assessment_is_asked_for_again(self) -> None:
        finding = scenario(
            "182-risk-assessment-age-uk-ch-fallback", "f-uk-idta-366", "UK"
        )
        assert request(finding, "tia") == (
            (
                "Document a transfer risk assessment (TRA) for flow f-uk-idta-366 and "
                "review it at least yearly."
            ),
            ("UK GDPR Art. 46(1); ICO guidance on transfer risk assessments",),
        )


def test_a_tool_of_another_regime_is_no_safeguard() -> None:
    finding = scenario("221-uk-ch-approved-tools-and-claims", "f-ch-idta", "CH")
    assert reason(finding, "CH.MECHANISM.FOREIGN_TOOL") == (
        "Flow f-ch-idta relies on idta, which is not a safeguard under the FADP.",
        ("FADP Art. 16(2)",),
    )
    assert request(finding, "fix_mechanism") == (
        "Put one of the FADP's tools in place for flow f-ch-idta.",
        ("FADP Art. 16(2)",),
    )


class TestUkAndSwissScopeAndAdequacy:
    """The UK and Swiss scope and adequacy reasons (scenario 222)."""

    STEM = "222-uk-ch-scope-and-adequacy"
    SCHEDULE_21 = (
        "Data Protection Act 2018, Schedule 21, paragraphs 4 and 5 (transitional "
        "adequacy provision)"
    )

    def test_an_anonymised_flow(self) -> None:
        finding = scenario(self.STEM, "f-anon", "UK")
        assert reason(finding, "UK.SCOPE.ANONYMISED") == (
            (
                "Flow f-anon from UK Ltd (gb, GB) to US Inc (us, US) is marked "
                "anonymised: no personal data moves, so the UK GDPR transfer rules do "
                "not apply."
            ),
            ("UK GDPR Art. 44A",),
        )

    def test_data_coming_in(self) -> None:
        finding = scenario(self.STEM, "f-back", "UK")
        assert reason(finding, "UK.SCOPE.INBOUND") == (
            (
                "UK Two Ltd (gb2, GB) is in GB: data coming in from US Inc (us, US) is "
                "not a restricted transfer under the UK GDPR."
            ),
            ("UK GDPR Art. 44A",),
        )

    def test_an_importer_outside_the_decision(self) -> None:
        finding = scenario(self.STEM, "f-uk-jp", "UK")
        assert reason(finding, "UK.ADEQUACY.OUT_OF_SCOPE") == (
            (
                f"{self.SCHEDULE_21} (uk-japan) covers JP on 2026-11-28, but Japan "
                "Agency (jp, JP) is outside its scope: the decision covers only "
                "private-sector importers and jp is in the public sector."
            ),
            (UK_ADEQUACY, self.SCHEDULE_21),
        )

    def test_employees_data_covered_in_part(self) -> None:
        finding = scenario(self.STEM, "f-uk-ca-hr", "UK")
        assert reason(finding, "UK.ADEQUACY.HR_DATA") == (
            (
                "Flow f-uk-ca-hr carries HR data to Canada Partner Inc (ca, CA); "
                f"{self.SCHEDULE_21} covers employee data only in part."
            ),
            (UK_ADEQUACY, self.SCHEDULE_21),
        )
        assert request(finding, "legal_review") == (
            (
                f"Have counsel confirm that {self.SCHEDULE_21} covers the HR data of "
                "flow f-uk-ca-hr; if in doubt, use the regime's contractual tool."
            ),
            (self.SCHEDULE_21,),
        )


@pytest.mark.parametrize(
    ("flow_id", "ending"), [("f-none", " and names no transfer tool."), ("f-scc", ".")]
)
def test_before_the_revised_fadp(flow_id: str, ending: str) -> None:
    finding = scenario("223-ch-former-law", flow_id, "CH")
    former = ("FADP of 19 June 1992 Art. 6",)
    assert reason(finding, "CH.FORMER_FADP") == (
        (
            "On 2023-08-31 former FADP (1992) applied (the FADP as modelled applies "
            "from 2023-09-01); its transfer rules are not modelled, so flow "
            f"{flow_id} cannot be judged here{ending}"
        ),
        former,
    )
    # Counsel is pointed to the former law's provision, not to the revised FADP.
    assert request(finding, "legal_review") == (
        (
            f"Have counsel assess flow {flow_id} under former FADP (1992) as it stood "
            "on 2023-08-31."
        ),
        former,
    )


class TestUkOwnTools:
    """The IDTA and the Addendum before their first day; an Addendum module unfit."""

    IDTA = (
        "International Data Transfer Agreement (IDTA), version A1.0, issued by the "
        "Information Commissioner under DPA 2018 s.119A"
    )

    def finding(self, flow_id: str, day: date) -> Finding:
        value = document(
            entities=[entity("gb", "GB"), entity("in", "IN", kind="service_provider")],
            flows=[
                flow("f-idta", "gb", "in", mechanism="idta", tia="2022-01-01"),
                flow(
                    "f-add",
                    "gb",
                    "in",
                    mechanism="uk_addendum",
                    scc_module=3,
                    tia="2022-01-01",
                ),
            ],
        )
        return assess(parse_map(as_yaml(value)), as_of=day).finding(flow_id, "UK")

    def test_the_day_before_the_idta(self) -> None:
        finding = self.finding("f-idta", date(2022, 3, 20))
        assert reason(finding, "UK.TOOL") == (
            (
                f"Flow f-idta relies on the {self.IDTA}, which applies only from "
                "2022-03-21."
            ),
            (self.IDTA,),
        )
        assert request(finding, "fix_mechanism") == (
            (
                "On 2022-03-20 flow f-idta needed another tool: the standard "
                "contractual clauses as UK law kept them."
            ),
            (UK_CLAUSES,),
        )

    def test_a_module_of_the_addendum_that_does_not_fit(self) -> None:
        finding = self.finding("f-add", date(2022, 3, 21))
        assert reason(finding, "UK.SCC.MODULE")[0] == (
            "Flow f-add is controller to processor, which needs module 2; the map "
            "names module 3 for the Addendum's SCCs."
        )


def test_why_a_uk_transfer_is_restricted() -> None:
    # An exporter outside the UK that the map declares subject to the UK GDPR, and
    # an international organisation as the destination, are named as such.
    value = document(
        entities=[
            entity("de", "DE", subject_to=["UK"]),
            entity("gb", "GB"),
            entity("in", "IN", kind="service_provider"),
            {
                "id": "io",
                "name": "Org",
                "kind": "other",
                "international_organisation": "some-org",
            },
        ],
        flows=[flow("f-de", "de", "in"), flow("f-io", "gb", "io")],
    )
    assessment = assess(parse_map(as_yaml(value)), as_of=DAY)
    assert reason(assessment.finding("f-de", "UK"), "UK.SCOPE.TRANSFER")[0] == (
        "de Ltd (de, DE) is declared subject to the UK GDPR and discloses personal "
        "data to in Ltd (in, IN) in IN on 2026-11-28: a restricted transfer under the "
        "UK GDPR."
    )
    assert reason(assessment.finding("f-io", "UK"), "UK.SCOPE.TRANSFER")[0] == (
        "gb Ltd (gb, GB) is established in GB and discloses personal data to Org (io, "
        "some-org) in the international organisation some-org on 2026-11-28: a "
        "restricted transfer under the UK GDPR."
    )


def test_the_addendum_advice_names_who_already_has_eu_sccs_with_the_importer() -> None:
    # gb signed EU SCCs with the importer itself; gb2 did not, but another member
    # of its group (de) did; gb3 has neither, and is advised the IDTA.
    value = document(
        entities=[
            entity("gb", "GB"),
            entity("gb2", "GB", group="acme"),
            entity("gb3", "GB"),
            entity("de", "DE", group="acme"),
            entity("in", "IN", kind="service_provider"),
        ],
        flows=[
            flow("f-scc", "gb", "in", mechanism="scc", scc_module=2),
            flow("f-de", "de", "in", mechanism="scc", scc_module=2),
            flow("f-gb", "gb", "in", data_categories=["user.name"]),
            flow("f-gb2", "gb2", "in"),
            flow("f-gb3", "gb3", "in"),
        ],
        groups=[{"id": "acme", "name": "Acme"}],
    )
    assessment = assess(parse_map(as_yaml(value)), as_of=DAY)
    for flow_id, partner in (("f-gb", "gb"), ("f-gb2", "gb2's group (acme)")):
        detail, _ = request(assessment.finding(flow_id, "UK"), "uk_addendum")
        assert detail == (
            f"in already has EU SCCs with {partner}: add the ICO's UK Addendum to "
            f"them for flow {flow_id} (module 2, controller to processor)."
        )
    actions = [
        item.action.value for item in assessment.finding("f-gb3", "UK").recommendations
    ]
    assert "uk_addendum" not in actions
    assert "idta" in actions
