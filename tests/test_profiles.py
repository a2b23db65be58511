"""Country profiles and supervisory authorities: shipped data and validation."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from transfer_assess import ReferenceDataError
from transfer_assess.profiles import load_country_profiles, load_supervisory_authorities
from transfer_assess.refdata import data_dir, load_reference_data


class TestShipped:
    """The packaged files."""

    def test_the_destinations_the_design_names(self) -> None:
        profiles = load_country_profiles()
        assert {
            "US",
            "CN",
            "IN",
            "BR",
            "JP",
            "KR",
            "GB",
            "CH",
            "SG",
            "AU",
            "RU",
        } <= set(profiles)
        for profile in profiles.values():
            assert profile.sources
            assert profile.access_concerns in {"found", "none_found", "unassessed"}
            for item in profile.public_authority_access + profile.redress:
                assert item.sources

    def test_adequate_destinations_were_assessed(self) -> None:
        refdata = load_reference_data()
        for code, profile in load_country_profiles().items():
            if refdata.decisions_for(code, date(2026, 11, 28)):
                assert profile.access_concerns == "none_found", code

    def test_every_eea_country_has_an_authority(self) -> None:
        authorities = load_supervisory_authorities()
        assert set(load_reference_data().eea_countries(date(2026, 11, 28))) == set(
            authorities
        )
        assert all(authority.sources for authority in authorities.values())


class TestValidation:
    """Broken files are refused with every problem listed."""

    def folder(self, tmp_path: Path) -> Path:
        folder = tmp_path / "data"
        shutil.copytree(data_dir(), folder)
        return folder

    def test_broken_profiles(self, tmp_path: Path) -> None:
        folder = self.folder(tmp_path)
        path = folder / "country_profiles.json"
        value = json.loads(path.read_text(encoding="utf-8"))
        first = value["entries"][0]
        value["entries"] = [
            {**first, "country": "ZZ"},
            {**first, "access_concerns": "maybe", "reviewed": "soon"},
            {**first, "sources": [], "redress": "none",
             "oversight": [{"body": "", "summary": "x", "sources": ["s"]}],
             "data_protection_authority": {"name": "A", "summary": "", "sources": []}},
            first,
            first,
        ]  # fmt: skip
        path.write_text(json.dumps(value), encoding="utf-8")
        with pytest.raises(ReferenceDataError) as caught:
            load_country_profiles(folder)
        text = "\n".join(caught.value.problems)
        for expected in (
            "unknown ISO country 'ZZ'",
            "unknown access_concerns 'maybe'",
            "expected an ISO date",
            "every fact needs a source",
            "expected a list",
            "expected a non-empty string",
            "duplicate country",
        ):
            assert expected in text, expected

    def test_wrong_schema(self, tmp_path: Path) -> None:
        folder = self.folder(tmp_path)
        (folder / "country_profiles.json").write_text(
            '{"entries": {}}', encoding="utf-8"
        )
        (folder / "supervisory_authorities.json").write_text(
            '{"schema": "transfer-assess/supervisory-authorities@1", "entries": {}}',
            encoding="utf-8",
        )
        with pytest.raises(ReferenceDataError, match="expected schema"):
            load_country_profiles(folder)
        with pytest.raises(ReferenceDataError, match="expected a list"):
            load_supervisory_authorities(folder)

    def test_broken_authorities(self, tmp_path: Path) -> None:
        folder = self.folder(tmp_path)
        path = folder / "supervisory_authorities.json"
        value = json.loads(path.read_text(encoding="utf-8"))
        value["entries"] = [{"country": "DE", "name": "", "sources": []}, "x"]
        path.write_text(json.dumps(value), encoding="utf-8")
        with pytest.raises(ReferenceDataError, match="every fact needs a source"):
            load_supervisory_authorities(folder)
