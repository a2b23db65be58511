"""
Which downloaded sets ``data prune`` removes and how ``data rollback`` fails
(issue 13's mutation run of store.py).

The sets are made under ``versions/`` and the pointer is written as ``current.json``
by hand (pruning reads only names and the pointer; a rollback re-hashes a copy of
the packaged data against its index), so no download is needed.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from transfer_assess import store
from transfer_assess.fetch import index_for, packaged_index
from transfer_assess.refdata import REFERENCE_FILES, data_dir, load_reference_data
from transfer_assess.store import StoreError

SHA = "0123456789ab"


def sets(home: Path, *versions: str) -> None:
    """Make one (empty) set folder per version under ``versions/``."""
    for version in versions:
        (store.versions_dir(home) / f"{version}-{SHA}").mkdir(parents=True)


def point(home: Path, current: str, previous: str | None = None) -> None:
    """Write ``current.json`` naming the sets of these versions."""
    pointer = {
        "current": f"{current}-{SHA}",
        "previous": None if previous is None else f"{previous}-{SHA}",
    }
    (home / "current.json").write_text(json.dumps(pointer), encoding="utf-8")


def left(home: Path) -> list[str]:
    return sorted(path.name for path in store.versions_dir(home).iterdir())


def test_nothing_downloaded_yet(tmp_path: Path) -> None:
    # No pointer and no versions/ folder: nothing to remove, and no error.
    assert store.prune(tmp_path, 1) == []
    assert not store.versions_dir(tmp_path).exists()


def test_without_a_pointer_only_the_newest_are_kept(tmp_path: Path) -> None:
    sets(tmp_path, "2026-12-01", "2026-12-02", "2026-12-03")
    assert store.prune(tmp_path, 2) == [f"2026-12-01-{SHA}"]
    assert left(tmp_path) == [f"2026-12-02-{SHA}", f"2026-12-03-{SHA}"]


def test_the_pointer_of_the_given_folder_protects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The environment names another (empty) data folder: the pointer read must be
    # the one of the folder being pruned.
    home = tmp_path / "home"
    monkeypatch.setenv(store.DATA_DIR_VARIABLE, str(tmp_path / "elsewhere"))
    sets(home, "2026-12-01", "2026-12-02", "2026-12-03")
    point(home, "2026-12-01")
    assert store.prune(home, 1) == [f"2026-12-02-{SHA}"]
    assert left(home) == [f"2026-12-01-{SHA}", f"2026-12-03-{SHA}"]


def test_a_revision_is_newer_than_its_day_and_older_than_the_next(
    tmp_path: Path,
) -> None:
    # Versions sort by day, then by revision number (none counts as 0), not by name.
    sets(tmp_path, "2026-12-01.2", "2026-12-02", "2026-12-01")
    assert store.prune(tmp_path, 2) == [f"2026-12-01-{SHA}"]
    assert store.prune(tmp_path, 1) == [f"2026-12-01.2-{SHA}"]
    assert left(tmp_path) == [f"2026-12-02-{SHA}"]


def test_revision_zero_sorts_after_no_revision_by_name_alone(tmp_path: Path) -> None:
    # "2026-12-01" and "2026-12-01.0" are the same version; the name decides, and
    # "-" sorts before ".": the one without a revision is removed.
    sets(tmp_path, "2026-12-01.0", "2026-12-01")
    assert store.prune(tmp_path, 1) == [f"2026-12-01-{SHA}"]


def test_revision_ten_is_newer_than_revision_nine(tmp_path: Path) -> None:
    sets(tmp_path, "2026-12-01.10", "2026-12-01.9")
    assert store.prune(tmp_path, 1) == [f"2026-12-01.9-{SHA}"]


def test_other_entries_are_left_alone(tmp_path: Path) -> None:
    sets(tmp_path, "2026-12-01", "2026-12-02")
    folder = store.versions_dir(tmp_path)
    (folder / "notes").mkdir()
    (folder / f"2026-11-01-{SHA}").write_text("a file named like a set", "utf-8")
    assert store.prune(tmp_path, 1) == [f"2026-12-01-{SHA}"]
    assert left(tmp_path) == [f"2026-11-01-{SHA}", f"2026-12-02-{SHA}", "notes"]


def test_a_failed_removal_names_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sets(tmp_path, "2026-12-01", "2026-12-02")

    def refuse(*_: object, **__: object) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(shutil, "rmtree", refuse)
    expected = (
        f"cannot change the data folder {tmp_path}: {tmp_path}: Permission denied; "
        "the data in use is unchanged"
    )
    with pytest.raises(StoreError) as caught:
        store.prune(tmp_path, 1)
    assert str(caught.value) == expected


def complete(home: Path, version: str) -> str:
    """A complete set of the packaged data as version `version`, with its index."""
    name = f"{version}-{SHA}"
    folder = store.versions_dir(home) / name
    shutil.copytree(data_dir(), folder, ignore=shutil.ignore_patterns("scc_templates"))
    adequacy = json.loads((folder / "adequacy.json").read_text(encoding="utf-8"))
    adequacy["version"] = version
    (folder / "adequacy.json").write_text(json.dumps(adequacy), encoding="utf-8")
    (folder / "index.json").write_text(
        json.dumps(index_for(folder, version)), encoding="utf-8"
    )
    return name


def two_sets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    """
    A data folder with the sets of 2026-12-01 and 2026-12-02 (no pointer yet).

    The environment names another, empty data folder: what is read must be the
    pointer of the folder the function is given.
    """
    home = tmp_path / "home"
    monkeypatch.setenv(store.DATA_DIR_VARIABLE, str(tmp_path / "elsewhere"))
    return home, complete(home, "2026-12-01"), complete(home, "2026-12-02")


class TestRollback:
    """Rollback swaps the current and the previous set of the folder it is given."""

    def test_swaps_current_and_previous(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        home, old, new = two_sets(tmp_path, monkeypatch)
        point(home, "2026-12-02", "2026-12-01")
        assert store.rollback(home) == store.Pointer(old, new)
        assert store.read_pointer(home) == store.Pointer(old, new)
        assert store.rollback(home) == store.Pointer(new, old)

    def test_nothing_to_roll_back_to(self, tmp_path: Path) -> None:
        with pytest.raises(StoreError) as caught:
            store.rollback(tmp_path)
        assert str(caught.value) == (
            "nothing to roll back to: no previous downloaded reference data is kept"
        )

    def test_the_previous_set_is_gone(self, tmp_path: Path) -> None:
        complete(tmp_path, "2026-12-02")
        point(tmp_path, "2026-12-02", "2026-12-01")
        with pytest.raises(StoreError) as caught:
            store.rollback(tmp_path)
        assert str(caught.value) == (
            f"the previous set '2026-12-01-{SHA}' is missing from {tmp_path}"
        )

    def test_a_failed_write_names_the_data_folder(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        complete(tmp_path, "2026-12-01")
        complete(tmp_path, "2026-12-02")
        point(tmp_path, "2026-12-02", "2026-12-01")

        def full(*_: object, **__: object) -> tuple[int, str]:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(tempfile, "mkstemp", full)
        with pytest.raises(StoreError) as caught:
            store.rollback(tmp_path)
        assert str(caught.value) == (
            f"cannot change the data folder {tmp_path}: {tmp_path}: No space left on "
            "device; the data in use is unchanged"
        )
        assert store.read_pointer(tmp_path) == store.Pointer(
            f"2026-12-02-{SHA}", f"2026-12-01-{SHA}"
        )


class TestSwitch:
    """A set is switched to only when it is complete and matches its index."""

    def test_a_missing_set(self, tmp_path: Path) -> None:
        with pytest.raises(StoreError) as caught:
            store.switch(tmp_path, f"2026-12-01-{SHA}")
        assert str(caught.value) == (
            f"no complete reference-data set '2026-12-01-{SHA}' in {tmp_path}"
        )

    def test_every_mismatch_is_named(self, tmp_path: Path) -> None:
        name = complete(tmp_path, "2026-12-01")
        folder = store.versions_dir(tmp_path) / name
        (folder / "eea.json").write_text("{}", encoding="utf-8")
        (folder / "regimes.json").unlink()
        with pytest.raises(StoreError) as caught:
            store.switch(tmp_path, name)
        assert str(caught.value) == (
            f"refusing to use the reference-data set {name!r}: it no longer matches "
            f"its recorded index ({folder / 'eea.json'}: sha256 differs from the "
            f"recorded one; {folder / 'regimes.json'}: missing); run "
            "'transfer-assess data update --force' to download it again"
        )
        assert store.read_pointer(tmp_path) is None

    def test_the_pointer_of_the_given_folder_is_kept_as_previous(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        home, old, new = two_sets(tmp_path, monkeypatch)
        point(home, "2026-12-01")
        assert store.switch(home, new) == store.Pointer(new, old)

    def test_switching_to_the_set_in_use_keeps_the_previous(
        self, tmp_path: Path
    ) -> None:
        old, new = complete(tmp_path, "2026-12-01"), complete(tmp_path, "2026-12-02")
        point(tmp_path, "2026-12-02", "2026-12-01")
        assert store.switch(tmp_path, new) == store.Pointer(new, old)
        assert store.read_pointer(tmp_path) == store.Pointer(new, old)

    def test_the_pointer_is_written_beside_itself(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The temporary file is made in the data folder, so that the rename that
        # replaces current.json stays on one file system (atomic): the system's
        # temporary folder is not used, even when it is unusable.
        name = complete(tmp_path / "home", "2026-12-01")
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
        assert store.switch(tmp_path / "home", name) == store.Pointer(name, None)

    def test_a_failed_write_leaves_no_temporary_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        name = complete(tmp_path, "2026-12-01")

        def broken(_: int) -> None:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(os, "fsync", broken)
        with pytest.raises(OSError, match="Input/output error"):
            store.switch(tmp_path, name)
        assert sorted(path.name for path in tmp_path.iterdir()) == ["versions"]


def test_a_kept_set_that_matches_is_reused(tmp_path: Path) -> None:
    name = complete(tmp_path, "2026-12-01")
    staged = tmp_path / ".staging-1"
    shutil.copytree(store.versions_dir(tmp_path) / name, staged)
    target = store.keep(tmp_path, staged, name)
    assert target == store.versions_dir(tmp_path) / name
    assert not staged.exists()
    assert store.check_set(target) == []


def test_a_spoiled_set_is_replaced_despite_an_earlier_leftover(tmp_path: Path) -> None:
    # A set that no longer matches its index is moved aside and removed; a folder
    # left aside by an interrupted earlier attempt is removed first.
    name = complete(tmp_path, "2026-12-01")
    staged = tmp_path / ".staging-1"
    shutil.copytree(store.versions_dir(tmp_path) / name, staged)
    (store.versions_dir(tmp_path) / name / "eea.json").write_text("{}", "utf-8")
    leftover = store.versions_dir(tmp_path) / f".spoiled-{name}"
    leftover.mkdir()
    (leftover / "eea.json").write_text("{}", encoding="utf-8")
    target = store.keep(tmp_path, staged, name)
    assert store.check_set(target) == []
    assert not staged.exists()
    assert sorted(path.name for path in store.versions_dir(tmp_path).iterdir()) == [
        name
    ]


def test_the_packaged_index_ignores_a_downloaded_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # data/index.json describes the packaged files, whatever set a user downloaded.
    monkeypatch.setenv(store.DATA_DIR_VARIABLE, str(tmp_path))
    complete(tmp_path, "2026-12-01")
    point(tmp_path, "2026-12-01")
    assert load_reference_data().version == "2026-12-01"
    packaged = load_reference_data(data_dir()).version
    assert packaged != "2026-12-01"
    assert packaged_index() == index_for(data_dir(), packaged)


class TestPointerNames:
    """``current.json`` may name only a folder directly under ``versions/``."""

    @pytest.mark.parametrize(
        "name", ["", ".", "..", "a/b", "/etc", "a\\b", "..\\x", 5, None, ["a"]]
    )
    def test_a_name_that_leaves_versions_is_refused(
        self, tmp_path: Path, name: object
    ) -> None:
        path = tmp_path / "current.json"
        path.write_text(json.dumps({"current": name}), encoding="utf-8")
        with pytest.raises(StoreError) as caught:
            store.read_pointer(tmp_path)
        assert str(caught.value) == (
            f"{path} does not name the reference data in use; run 'transfer-assess "
            f"data update --force' to download a fresh set, or remove {path} to use "
            "the packaged data"
        )

    @pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a\\b", 5, None])
    def test_such_a_previous_set_is_forgotten(
        self, tmp_path: Path, name: object
    ) -> None:
        pointer = {"current": f"2026-12-01-{SHA}", "previous": name}
        (tmp_path / "current.json").write_text(json.dumps(pointer), encoding="utf-8")
        assert store.read_pointer(tmp_path) == store.Pointer(f"2026-12-01-{SHA}", None)

    def test_a_plain_name_with_dots_is_a_name(self, tmp_path: Path) -> None:
        pointer = {"current": "...", "previous": "a..b"}
        (tmp_path / "current.json").write_text(json.dumps(pointer), encoding="utf-8")
        assert store.read_pointer(tmp_path) == store.Pointer("...", "a..b")


def test_a_set_without_a_readable_index_is_named(tmp_path: Path) -> None:
    assert store.check_set(tmp_path) == [
        f"{tmp_path / 'index.json'}: missing or unreadable"
    ]


def test_stale_staging_folders_go_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / ".staging-1" / "sub").mkdir(parents=True)
    (tmp_path / ".staging-2").mkdir()
    (tmp_path / "versions").mkdir()
    (tmp_path / "staging-3").mkdir()
    # A file of that name is not an update's folder and cannot be removed as one:
    # cleaning up must not fail on it.
    (tmp_path / ".staging-file").write_text("x", encoding="utf-8")
    store.clean_stale(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".staging-file",
        "staging-3",
        "versions",
    ]


class TestCheckSet:
    """Every file of a set that does not match its index is named, in file order."""

    def test_files_left_out_of_the_index(self, tmp_path: Path) -> None:
        folder = store.versions_dir(tmp_path) / complete(tmp_path, "2026-12-01")
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        first, second = REFERENCE_FILES[0], REFERENCE_FILES[1]
        del index["files"][first], index["files"][second]
        (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
        assert store.check_set(folder) == [
            f"{first}: not in {folder / 'index.json'}",
            f"{second}: not in {folder / 'index.json'}",
        ]

    def test_an_index_whose_files_are_not_a_mapping(self, tmp_path: Path) -> None:
        folder = store.versions_dir(tmp_path) / complete(tmp_path, "2026-12-01")
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        index["files"] = list(index["files"])
        (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
        assert store.check_set(folder) == [
            f"{name}: not in {folder / 'index.json'}" for name in REFERENCE_FILES
        ]

    def test_two_missing_files(self, tmp_path: Path) -> None:
        folder = store.versions_dir(tmp_path) / complete(tmp_path, "2026-12-01")
        for name in REFERENCE_FILES[:2]:
            (folder / name).unlink()
        assert store.check_set(folder) == [
            f"{folder / name}: missing" for name in REFERENCE_FILES[:2]
        ]


class TestPointerProblems:
    """What the user reads when the pointer or the set it names is not usable."""

    def test_a_pointer_that_is_a_folder(self, tmp_path: Path) -> None:
        (tmp_path / "current.json").mkdir()
        with pytest.raises(StoreError) as caught:
            store.read_pointer(tmp_path)
        path = tmp_path / "current.json"
        assert str(caught.value) == (
            f"{path} cannot be read (Is a directory), so the reference data in use "
            "is unknown; run 'transfer-assess data update --force' to download a "
            f"fresh set, or remove {path} to use the packaged data"
        )

    def test_a_pointer_that_is_not_utf8(self, tmp_path: Path) -> None:
        (tmp_path / "current.json").write_bytes(b'{"current": "\xff"}')
        with pytest.raises(StoreError) as caught:
            store.read_pointer(tmp_path)
        assert str(caught.value).startswith(
            f"{tmp_path / 'current.json'} cannot be read ('utf-8' codec can't decode "
            "byte 0xff in position 13: invalid start byte), so the reference data"
        )

    def test_the_set_in_use_is_gone_with_a_previous_one(self, tmp_path: Path) -> None:
        point(tmp_path, "2026-12-02", "2026-12-01")
        with pytest.raises(StoreError) as caught:
            store.current_folder(tmp_path)
        assert str(caught.value) == (
            f"the reference data in use, 2026-12-02-{SHA}, is missing from "
            f"{store.versions_dir(tmp_path)}; run 'transfer-assess data rollback' to "
            f"go back to 2026-12-01-{SHA}, or 'transfer-assess data update --force' "
            "to download a fresh set"
        )

    def test_the_set_in_use_is_gone_alone(self, tmp_path: Path) -> None:
        point(tmp_path, "2026-12-02")
        with pytest.raises(StoreError) as caught:
            store.current_folder(tmp_path)
        assert str(caught.value) == (
            f"the reference data in use, 2026-12-02-{SHA}, is missing from "
            f"{store.versions_dir(tmp_path)}; run 'transfer-assess data update "
            "--force' to download a fresh set"
        )

    def test_the_folder_given_is_read_not_the_environment(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(store.DATA_DIR_VARIABLE, str(tmp_path / "elsewhere"))
        home = tmp_path / "home"
        name = complete(home, "2026-12-01")
        point(home, "2026-12-01")
        assert store.current_folder(home) == store.versions_dir(home) / name


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the XDG layout is Linux's"
)
def test_the_default_data_folder_is_the_users_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(store.DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert store.data_home() == tmp_path / "transfer-assess"
