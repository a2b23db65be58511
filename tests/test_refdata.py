"""The shipped reference data: integrity, sources and the questions it answers."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pycountry
import pytest

from transfer_assess import Entity, EntityKind, ReferenceDataError, Sector
from transfer_assess.model import GDPR_APPLIES_FROM
from transfer_assess.refdata import (
    ReferenceData,
    check_as_of,
    data_dir,
    load_reference_data,
    load_taxonomy,
)


@pytest.fixture(scope="module")
def refdata() -> ReferenceData:
    return load_reference_data()


def importer(
    country: str, *certifications: str, sector: Sector = Sector.PRIVATE
) -> Entity:
    return Entity(
        id="importer",
        name="Importer",
        kind=EntityKind.SERVICE_PROVIDER,
        country=country,
        sector=sector,
        certifications=certifications,
    )


class TestIntegrity:
    """Facts that must hold of the shipped files (fideslang-style checks)."""

    def test_every_decision_of_the_fact_base_is_there(
        self, refdata: ReferenceData
    ) -> None:
        expected = {
            "andorra", "argentina", "brazil", "canada", "european-patent-organisation",
            "faroe-islands", "gb-gdpr-2021", "gb-gdpr-2025", "gb-led-2021",
            "gb-led-2025", "guernsey", "isle-of-man", "israel", "japan", "jersey",
            "korea", "new-zealand", "switzerland", "uruguay", "us-dpf",
            "us-privacy-shield", "us-safe-harbor",
        }  # fmt: skip
        uk_and_swiss = {
            "uk-eea-gibraltar", "uk-legacy-whole", "uk-israel", "uk-canada",
            "uk-japan", "uk-korea", "uk-us", "ch-annex1", "ch-canada", "ch-us-dpf",
        }  # fmt: skip
        found = {decision.id for decision in refdata.decisions}
        assert found == expected | uk_and_swiss
        regimes = {decision.id: decision.regime for decision in refdata.decisions}
        assert {regimes[item] for item in uk_and_swiss} == {"UK-GDPR", "CH-FADP"}

    def test_every_decision_is_sourced(self, refdata: ReferenceData) -> None:
        for decision in refdata.decisions:
            assert decision.sources, decision.id
            for note in decision.watch + decision.reviews:
                assert note.sources, decision.id
            if decision.end_reason is not None:
                assert decision.end_reason.sources, decision.id

    def test_codes_are_iso(self, refdata: ReferenceData) -> None:
        for decision in refdata.decisions:
            if decision.country is not None:
                assert pycountry.countries.get(alpha_2=decision.country) is not None
        for country in refdata.membership:
            assert pycountry.countries.get(alpha_2=country) is not None

    def test_no_eea_member_has_a_decision(self, refdata: ReferenceData) -> None:
        for decision in refdata.decisions:
            assert not refdata.is_eea(
                decision.country, decision.starts, as_importer=True
            )

    def test_dates_are_ordered(self, refdata: ReferenceData) -> None:
        for decision in refdata.decisions:
            if decision.ended is not None:
                assert decision.ended > decision.adopted
            for entry in decision.validity:
                assert entry.until >= decision.adopted

    def test_files_are_written_deterministically(self) -> None:
        for name in ("adequacy.json", "eea.json", "taxonomy.json"):
            text = (data_dir() / name).read_text(encoding="utf-8")
            assert text.endswith("\n")
            assert json.loads(text)["as_of"] <= "2026-11-28"

    def test_eea_has_thirty_members_today(self, refdata: ReferenceData) -> None:
        members = refdata.eea_countries(date(2026, 11, 28))
        assert len(members) == 30
        assert "GB" not in members
        assert {"IS", "LI", "NO", "GR"} <= set(members)

    def test_hash_and_version(self, refdata: ReferenceData) -> None:
        assert len(refdata.sha256) == 64
        assert refdata.version == "2026-11-28"
        assert refdata.origin == "packaged"


class TestDates:
    """Which decisions are in force on a date."""

    def ids(self, refdata: ReferenceData, day: date) -> set[str]:
        return {decision.id for decision in refdata.in_force(day, regime="EU-GDPR")}

    def test_no_us_decision_after_schrems_ii(self, refdata: ReferenceData) -> None:
        ids = self.ids(refdata, date(2020, 8, 1))
        assert not {"us-privacy-shield", "us-dpf", "us-safe-harbor"} & ids

    def test_privacy_shield_until_the_day_before_the_judgment(
        self, refdata: ReferenceData
    ) -> None:
        assert "us-privacy-shield" in self.ids(refdata, date(2020, 7, 15))
        assert "us-privacy-shield" not in self.ids(refdata, date(2020, 7, 16))

    def test_today(self, refdata: ReferenceData) -> None:
        ids = self.ids(refdata, date(2026, 11, 28))
        assert {
            "us-dpf",
            "brazil",
            "european-patent-organisation",
            "gb-gdpr-2025",
        } <= ids
        assert "gb-gdpr-2021" not in ids

    @pytest.mark.parametrize(
        ("day", "decision", "in_force"),
        [
            (date(2023, 7, 9), "us-dpf", False),
            (date(2023, 7, 10), "us-dpf", True),
            (date(2025, 7, 14), "european-patent-organisation", False),
            (date(2025, 7, 15), "european-patent-organisation", True),
            (date(2026, 1, 25), "brazil", False),
            (date(2026, 1, 26), "brazil", True),
            (date(2021, 6, 27), "gb-gdpr-2021", False),
            (date(2021, 6, 28), "gb-gdpr-2021", True),
            (date(2025, 12, 27), "gb-gdpr-2021", True),
            (date(2025, 12, 28), "gb-gdpr-2021", False),
            (date(2025, 12, 27), "gb-gdpr-2025", False),
            (date(2025, 12, 28), "gb-gdpr-2025", True),
            (date(2021, 12, 16), "korea", False),
            (date(2021, 12, 17), "korea", True),
        ],
    )
    def test_boundaries(
        self, refdata: ReferenceData, day: date, decision: str, in_force: bool
    ) -> None:
        assert refdata.decision(decision).in_force(day) is in_force

    def test_sunset_known_only_from_acts_adopted_by_then(
        self, refdata: ReferenceData
    ) -> None:
        uk = refdata.decision("gb-gdpr-2021")
        assert uk.known_until(date(2025, 3, 1)) == date(2025, 6, 27)
        assert uk.known_until(date(2025, 7, 1)) == date(2025, 12, 27)
        assert uk.successor == "gb-gdpr-2025"

    def test_watch_notes_only_once_pending(self, refdata: ReferenceData) -> None:
        dpf = refdata.decision("us-dpf")
        assert dpf.active_watch(date(2026, 11, 28))
        assert not dpf.active_watch(date(2023, 7, 10))

    @pytest.mark.parametrize(
        ("day", "as_importer", "inside"),
        [
            (date(2020, 1, 31), False, True),
            (date(2020, 12, 31), False, True),
            (date(2021, 1, 1), False, False),
            (date(2021, 1, 1), True, True),
            (date(2021, 6, 27), True, True),
            (date(2021, 6, 28), True, False),
        ],
    )
    def test_united_kingdom(
        self, refdata: ReferenceData, day: date, as_importer: bool, inside: bool
    ) -> None:
        assert refdata.is_eea("GB", day, as_importer=as_importer) is inside

    def test_before_the_gdpr_is_refused(self) -> None:
        assert check_as_of(GDPR_APPLIES_FROM) == GDPR_APPLIES_FROM
        with pytest.raises(ValueError, match="before 2018-05-25"):
            check_as_of(date(2018, 5, 24))


class TestScope:
    """Which decisions cover a given importer."""

    def test_dpf_needs_certification(self, refdata: ReferenceData) -> None:
        day = date(2026, 11, 28)
        assert refdata.covering(importer("US"), day) == ()
        (decision,) = refdata.covering(importer("US", "dpf"), day)
        assert decision.id == "us-dpf"

    def test_dpf_hr_data_needs_hr_certification(self, refdata: ReferenceData) -> None:
        day = date(2026, 11, 28)
        assert refdata.covering(importer("US", "dpf"), day, hr_data=True) == ()
        assert refdata.covering(importer("US", "dpf", "dpf-hr"), day, hr_data=True)

    def test_privacy_shield_certificate_counts_only_while_in_force(
        self, refdata: ReferenceData
    ) -> None:
        certified = importer("US", "privacy-shield")
        assert refdata.covering(certified, date(2019, 1, 1))
        assert refdata.covering(certified, date(2020, 7, 16)) == ()

    @pytest.mark.parametrize("country", ["CA", "JP"])
    def test_public_bodies_not_covered(
        self, refdata: ReferenceData, country: str
    ) -> None:
        day = date(2026, 11, 28)
        assert refdata.covering(importer(country), day)
        assert refdata.covering(importer(country, sector=Sector.PUBLIC), day) == ()

    def test_led_decisions_are_not_gdpr_decisions(self, refdata: ReferenceData) -> None:
        (decision,) = refdata.decisions_for("GB", date(2026, 11, 28))
        assert decision.id == "gb-gdpr-2025"
        (led,) = refdata.decisions_for("GB", date(2026, 11, 28), regime="EU-LED")
        assert led.id == "gb-led-2025"

    def test_international_organisation(self, refdata: ReferenceData) -> None:
        epo = Entity(
            id="epo",
            name="European Patent Office",
            kind=EntityKind.OTHER,
            country=None,
            international_organisation="european-patent-organisation",
        )
        (decision,) = refdata.covering(epo, date(2026, 11, 28))
        assert decision.id == "european-patent-organisation"
        assert refdata.covering(epo, date(2025, 7, 14)) == ()

    def test_no_decision_for_india(self, refdata: ReferenceData) -> None:
        assert refdata.decisions_for("IN", date(2026, 11, 28)) == ()


class TestValidation:
    """A broken data folder is refused with every problem listed."""

    def copy(self, tmp_path: Path) -> Path:
        folder = tmp_path / "data"
        shutil.copytree(data_dir(), folder)
        return folder

    def edit(self, folder: Path, name: str, change: object) -> None:
        path = folder / name
        value = json.loads(path.read_text(encoding="utf-8"))
        change(value)  # type: ignore[operator]
        path.write_text(json.dumps(value), encoding="utf-8")

    def test_eea_member_in_adequacy_is_refused(self, tmp_path: Path) -> None:
        folder = self.copy(tmp_path)
        self.edit(
            folder,
            "adequacy.json",
            lambda value: value["entries"][0].update(country="FR"),
        )
        with pytest.raises(ReferenceDataError, match="FR is inside the EEA"):
            load_reference_data(folder)

    def test_every_problem_is_listed(self, tmp_path: Path) -> None:
        folder = self.copy(tmp_path)

        def break_it(value: dict[str, list[dict[str, object]]]) -> None:
            value["entries"][0]["sources"] = []
            value["entries"][1]["adopted"] = "2003-13-01"
            value["entries"][2]["country"] = "XX"

        self.edit(folder, "adequacy.json", break_it)
        with pytest.raises(ReferenceDataError) as caught:
            load_reference_data(folder)
        text = "\n".join(caught.value.problems)
        assert "every fact needs a source @ adequacy.json:$.entries[0].sources" in text
        assert "expected an ISO date @ adequacy.json:$.entries[1].adopted" in text
        assert "unknown ISO country 'XX' @ adequacy.json:$.entries[2].country" in text

    def test_missing_file(self, tmp_path: Path) -> None:
        folder = self.copy(tmp_path)
        (folder / "eea.json").unlink()
        with pytest.raises(ReferenceDataError, match="missing file"):
            load_reference_data(folder)

    def test_taxonomy(self) -> None:
        taxonomy = load_taxonomy()
        assert taxonomy.is_known("user.contact.email")
        assert taxonomy.special_for("user.health.medications") is not None
        assert taxonomy.special_for("user") is None


class TestValidationInDetail:
    """Each structural rule of the reference files is enforced with its path."""

    def broken(
        self, tmp_path: Path, adequacy: object, eea: object, taxonomy: object
    ) -> str:
        folder = tmp_path / "data"
        folder.mkdir()
        for name in (
            "country_profiles.json",
            "supervisory_authorities.json",
            "regimes.json",
            "access_laws.json",
        ):
            shutil.copy(data_dir() / name, folder / name)
        for name, value in (
            ("adequacy.json", adequacy),
            ("eea.json", eea),
            ("taxonomy.json", taxonomy),
        ):
            (folder / name).write_text(json.dumps(value), encoding="utf-8")
        with pytest.raises(ReferenceDataError) as caught:
            load_reference_data(folder)
        return "\n".join(caught.value.problems)

    def test_structure(self, tmp_path: Path) -> None:
        good = json.loads((data_dir() / "adequacy.json").read_text(encoding="utf-8"))
        entry = good["entries"][0]
        bad_entries: list[object] = [
            "not an object",
            {**entry, "id": "a", "regime": "EU-XX", "international_organisation": "x"},
            {**entry, "id": "b", "ended": "2020-01-01"},
            {
                **entry,
                "id": "c",
                "ended": "2000-01-01",
                "end_reason": {"kind": "magic", "text": "", "sources": []},
            },
            {**entry, "id": "d", "end_reason": "gone"},
            {
                **entry,
                "id": "e",
                "validity": [
                    "x",
                    {
                        "until": "1990-01-01",
                        "set_by": "x",
                        "adopted": "1990-01-01",
                        "sources": ["s"],
                    },
                ],
                "successor": "nobody",
                "applies_from": "1990-01-01",
            },
            {**entry, "id": "f", "scope": "all"},
            {
                **entry,
                "id": "g",
                "scope": {
                    "kind": "most",
                    "summary": "x",
                    "sectors": ["guild"],
                    "certification": "gold",
                    "hr_data": "maybe",
                    "conditions": [1],
                },
            },
            {**entry, "id": "h", "eea_efta": {"status": "perhaps"}},
            {**entry, "id": "i", "reviews": "x", "watch": ["x", {"since": "bad"}]},
            {**entry, "id": "j", "validity": "x", "unconfirmed": "x"},
        ]
        text = self.broken(
            tmp_path,
            {"schema": "other", "as_of": "bad", "entries": bad_entries},
            {
                "schema": "transfer-assess/eea@1",
                "as_of": "2026-01-01",
                "version": "1",
                "entries": [
                    "x",
                    {
                        "country": "ZZ",
                        "sources": ["s"],
                        "periods": [
                            {
                                "status": "eu_member",
                                "from": "2000-01-01",
                                "until": None,
                                "inside_as_exporter": True,
                                "inside_as_importer": True,
                                "citation": "x",
                            },
                            {
                                "status": "odd",
                                "from": "2001-01-01",
                                "until": "2000-01-01",
                                "inside_as_exporter": True,
                                "inside_as_importer": True,
                                "citation": "x",
                            },
                            {
                                "status": "eu_member",
                                "from": "2002-01-01",
                                "inside_as_exporter": "yes",
                                "citation": "x",
                            },
                            "x",
                        ],
                    },
                    {"country": "ZZ", "sources": ["s"], "periods": "x"},
                    {"sources": ["s"]},
                ],
            },
            {"categories": ["x", {"key": "k", "special": "odd"}]},
        )
        for expected in (
            "expected schema 'transfer-assess/adequacy@1' @ adequacy.json:$.schema",
            "expected an ISO date @ adequacy.json:$.as_of",
            "missing version @ adequacy.json:$.version",
            "expected an object @ adequacy.json:$.entries[0]",
            "unknown regime 'EU-XX' @ adequacy.json:$.entries[1].regime",
            "exactly one of country, countries and international_organisation",
            "ended and end_reason go together @ adequacy.json:$.entries[2].end_reason",
            "unknown kind 'magic' @ adequacy.json:$.entries[3].end_reason.kind",
            "expected an object @ adequacy.json:$.entries[4].end_reason",
            "expected an object @ adequacy.json:$.entries[5].validity[0]",
            "expected an object @ adequacy.json:$.entries[6].scope",
            "expected 'whole' or 'partial' @ adequacy.json:$.entries[7].scope.kind",
            "expected a list of sectors @ adequacy.json:$.entries[7].scope.sectors",
            "unknown certification 'gold'",
            "expected 'legal_review' or null",
            "expected a list of strings @ adequacy.json:$.entries[7].scope.conditions",
            "expected status 'incorporated', 'unknown' or 'not_applicable'",
            "expected a list @ adequacy.json:$.entries[9].reviews",
            "expected an object @ adequacy.json:$.entries[9].watch[0]",
            "expected an ISO date @ adequacy.json:$.entries[9].watch[1].since",
            "expected a list @ adequacy.json:$.entries[10].validity",
            "unknown successor 'nobody'",
            "applies_from before adopted",
            "validity ends before adoption",
            "ended not after adopted",
            "expected an object @ eea.json:$.entries[0]",
            "unknown ISO country 'ZZ' @ eea.json:$.entries[1].country",
            "unknown status 'odd'",
            "until before from",
            "expected booleans inside_as_exporter/importer",
            "overlapping periods",
            "duplicate country 'ZZ'",
            "expected a non-empty string @ eea.json:$.entries[3].country",
            "missing key @ taxonomy.json:$.categories[0].key",
            "unknown special category 'odd'",
        ):
            assert expected in text, expected

    def test_entries_must_be_lists(self, tmp_path: Path) -> None:
        text = self.broken(tmp_path, [], {"entries": {}}, {"categories": {}})
        assert "expected an object @ adequacy.json:$" in text
        assert "expected a list @ adequacy.json:$.entries" in text
        assert "expected a list @ eea.json:$.entries" in text
        assert "expected a list @ taxonomy.json:$.categories" in text

    def test_unreadable_file(self, tmp_path: Path) -> None:
        folder = tmp_path / "data"
        shutil.copytree(data_dir(), folder)
        (folder / "taxonomy.json").write_text("{", encoding="utf-8")
        with pytest.raises(ReferenceDataError, match="unreadable"):
            load_reference_data(folder)
        with pytest.raises(ReferenceDataError, match="unreadable"):
            load_taxonomy(folder)

    def test_unknown_decision_id(self) -> None:
        with pytest.raises(KeyError):
            load_reference_data().decision("atlantis")


def test_duplicate_decision_ids_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    path = folder / "adequacy.json"
    value = json.loads(path.read_text(encoding="utf-8"))
    value["entries"].append(value["entries"][0])
    path.write_text(json.dumps(value), encoding="utf-8")
    with pytest.raises(
        ReferenceDataError, match=r"duplicate id @ adequacy\.json:andorra"
    ):
        load_reference_data(folder)


def test_packaged_index_matches_the_files() -> None:
    """data/index.json is what a mirror publishes; `data verify` checks against it."""
    from transfer_assess.fetch import packaged_index, verify  # noqa: PLC0415

    recorded = json.loads((data_dir() / "index.json").read_text(encoding="utf-8"))
    assert recorded == packaged_index(), "regenerate data/index.json"
    assert verify(data_dir()) == []


@pytest.mark.parametrize(
    ("day", "kept"),
    [
        (date(2020, 7, 15), ("GDPR Art. 46",)),
        (date(2020, 7, 16), ("GDPR Art. 46", "CJEU C-311/18")),
        (date(2020, 7, 17), ("GDPR Art. 46", "CJEU C-311/18")),
    ],
)
def test_existing_keeps_the_citations_adopted_by_the_day(
    day: date, kept: tuple[str, ...]
) -> None:
    spec = load_reference_data().regimes["EU"]
    citations = ("GDPR Art. 46", "CJEU C-311/18")
    assert spec.existing(citations, day) == kept
    # Asked again, the answer is the same; all kept gives the very tuple asked about.
    assert spec.existing(citations, day) == kept
    if kept == citations:
        assert spec.existing(citations, day) is citations
