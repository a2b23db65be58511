"""Report folders are written as one piece: replaced whole, never half, never mixed.

The failures are real: a process killed mid-write, a disk that fills (the write
call fails with ENOSPC), two processes writing the same folder at once.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from transfer_assess import output
from transfer_assess.output import (
    FileContent,
    OutputError,
    is_report_folder,
    write_folder,
)


def pages(tag: str, count: int) -> dict[str, str]:
    files = {"index.html": f"<p>{tag} index</p>"}
    for number in range(1, count + 1):
        files[f"transfer-{number:04d}-flow-{number}.html"] = f"<p>{tag} {number}</p>"
    return files


def contents(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in folder.iterdir()}


def leftovers(parent: Path) -> list[str]:
    return sorted(path.name for path in parent.iterdir() if path.name.startswith("."))


class TestReplace:
    """An earlier report is replaced whole; anything else is refused."""

    def test_stale_pages_go(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        write_folder(pages("old", 5), out)
        written = write_folder(pages("new", 2), out)
        assert contents(out) == pages("new", 2)
        assert written == [out / name for name in sorted(pages("new", 2))]
        assert leftovers(tmp_path) == []

    def test_foreign_folder_is_refused(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        out.mkdir()
        (out / "notes.txt").write_text("mine", encoding="utf-8")
        (out / "index.html").write_text("mine too", encoding="utf-8")
        with pytest.raises(OutputError, match="does not hold an earlier"):
            write_folder(pages("new", 1), out)
        assert contents(out) == {"notes.txt": "mine", "index.html": "mine too"}
        assert leftovers(tmp_path) == []

    def test_empty_folder_is_used(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        out.mkdir()
        write_folder(pages("new", 1), out)
        assert contents(out) == pages("new", 1)

    def test_link_inside_is_not_followed(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        write_folder(pages("old", 1), out)
        victim = tmp_path / "victim.txt"
        victim.write_text("keep", encoding="utf-8")
        (out / "transfer-0009-x.html").symlink_to(victim)
        assert not is_report_folder(out)
        with pytest.raises(OutputError):
            write_folder(pages("new", 1), out)
        assert victim.read_text(encoding="utf-8") == "keep"

    def test_folder_that_is_a_link_is_refused(self, tmp_path: Path) -> None:
        real = tmp_path / "real"
        real.mkdir()
        out = tmp_path / "report"
        out.symlink_to(real)
        with pytest.raises(OutputError, match="symbolic link"):
            write_folder(pages("new", 1), out)
        assert list(real.iterdir()) == []

    def test_file_in_the_way_is_refused(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        out.write_text("x", encoding="utf-8")
        with pytest.raises(OutputError, match="not a folder"):
            write_folder(pages("new", 1), out)

    @pytest.mark.parametrize("name", ["../up.html", "a/b.html", "..", ""])
    def test_names_stay_inside(self, tmp_path: Path, name: str) -> None:
        with pytest.raises(OutputError, match="outside"):
            write_folder({name: "x"}, tmp_path / "report")
        assert not (tmp_path / "report").exists()


class TestFailures:
    """A failure leaves the earlier report exactly as it was."""

    def test_disk_full_midway(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        out = tmp_path / "report"
        write_folder(pages("old", 4), out)
        real = output._write_file  # noqa: SLF001 - the one call that writes a page
        calls = []

        def filling(target: Path, text: str) -> None:
            calls.append(target.name)
            if len(calls) == 3:
                raise OSError(errno.ENOSPC, "No space left on device")
            real(target, text)

        monkeypatch.setattr(output, "_write_file", filling)
        with pytest.raises(OSError, match="No space left"):
            write_folder(pages("new", 4), out)
        assert contents(out) == pages("old", 4)
        assert leftovers(tmp_path) == []

    def test_killed_while_writing(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        write_folder(pages("old", 3), out)
        script = textwrap.dedent(
            f"""
            import sys, time
            from pathlib import Path
            from transfer_assess import output
            real = output._write_file  # noqa: SLF001 - the one call that writes a page
            def slow(target, text):
                real(target, text)
                print("wrote", flush=True)
                time.sleep(60)
            output._write_file = slow
            output.write_folder({{"index.html": "new"}}, Path({str(out)!r}))
            """
        )
        with subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
        ) as process:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "wrote"
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=10)
        assert contents(out) == pages("old", 3)
        write_folder(pages("next", 1), out)
        assert contents(out) == pages("next", 1)
        assert leftovers(tmp_path) == []

    def test_crash_between_the_renames_is_repaired(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        write_folder(pages("old", 2), out)
        aside = tmp_path / ".report.old-abc"
        out.rename(aside)
        (tmp_path / ".report.new-def").mkdir()
        write_folder(pages("new", 1), out)
        assert contents(out) == pages("new", 1)
        assert leftovers(tmp_path) == []


class TestRace:
    """Two writers of one folder never mix their pages."""

    def test_two_processes(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        script = textwrap.dedent(
            f"""
            import sys
            from pathlib import Path
            from transfer_assess.output import write_folder
            tag = sys.argv[1]
            for round in range(15):
                files = {{"index.html": tag}}
                for number in range(1, 30 if tag == "a" else 12):
                    files[f"transfer-{{number:04d}}-f.html"] = tag
                write_folder(files, Path({str(out)!r}))
            """
        )
        processes = [
            subprocess.Popen([sys.executable, "-c", script, tag], env=os.environ)
            for tag in ("a", "b")
        ]
        for process in processes:
            assert process.wait(timeout=120) == 0
        written = contents(out)
        assert len(set(written.values())) == 1
        assert len(written) == (30 if written["index.html"] == "a" else 12)
        assert leftovers(tmp_path) == []


@pytest.fixture
def flushed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The descriptors passed to os.fsync while the test runs."""
    calls: list[int] = []
    real = os.fsync

    def fsync(descriptor: int) -> None:
        calls.append(descriptor)
        real(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    return calls


class TestStreaming:
    """Files given one at a time are written one at a time, whole or not at all."""

    def test_pairs_and_pieces(self, tmp_path: Path) -> None:
        out = tmp_path / "report"

        def produce() -> Iterator[tuple[str, FileContent]]:
            yield "transfer-0002-b.html", iter(["<p>", "two", "</p>"])
            yield "index.html", "<p>index</p>"
            yield "transfer-0001-a.html", "<p>\u00e9</p>".encode()

        written = write_folder(produce(), out)
        assert contents(out) == {
            "index.html": "<p>index</p>",
            "transfer-0001-a.html": "<p>\u00e9</p>",
            "transfer-0002-b.html": "<p>two</p>",
        }
        assert written == [out / name for name in sorted(contents(out))]
        assert leftovers(tmp_path) == []

    def test_each_file_is_written_before_the_next_is_made(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        seen: list[list[str]] = []

        def produce() -> Iterator[tuple[str, FileContent]]:
            for number in range(3):
                (staging,) = [p for p in tmp_path.iterdir() if ".new-" in p.name]
                seen.append(sorted(path.name for path in staging.iterdir()))
                yield f"transfer-{number:04d}-f.html", str(number)
            yield "index.html", "i"

        write_folder(produce(), out)
        assert seen == [
            [],
            ["transfer-0000-f.html"],
            ["transfer-0000-f.html", "transfer-0001-f.html"],
        ]

    def test_error_half_way_keeps_the_earlier_folder(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        write_folder(pages("old", 3), out)

        def produce() -> Iterator[tuple[str, FileContent]]:
            yield "index.html", "new index"
            yield "transfer-0001-flow-1.html", "new 1"
            raise RuntimeError("the template failed")

        with pytest.raises(RuntimeError, match="template failed"):
            write_folder(produce(), out)
        assert contents(out) == pages("old", 3)
        assert leftovers(tmp_path) == []

    def test_error_inside_a_page_keeps_the_earlier_folder(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        write_folder(pages("old", 2), out)

        def pieces() -> Iterator[str]:
            yield "<p>half"
            raise ValueError("a value the page could not show")

        with pytest.raises(ValueError, match="could not show"):
            write_folder([("index.html", "x"), ("transfer-0001-a.html", pieces())], out)
        assert contents(out) == pages("old", 2)
        assert leftovers(tmp_path) == []

    def test_error_with_no_earlier_folder_leaves_nothing(self, tmp_path: Path) -> None:
        out = tmp_path / "report"

        def produce() -> Iterator[tuple[str, FileContent]]:
            yield "index.html", "x"
            raise RuntimeError("stop")

        with pytest.raises(RuntimeError):
            write_folder(produce(), out)
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize("name", ["../up.html", "a/b.html", ".."])
    def test_a_bad_name_half_way_is_refused(self, tmp_path: Path, name: str) -> None:
        out = tmp_path / "report"
        write_folder(pages("old", 1), out)
        with pytest.raises(OutputError, match="outside"):
            write_folder([("index.html", "new"), (name, "x")], out)
        assert contents(out) == pages("old", 1)
        assert not (tmp_path / "up.html").exists()
        assert leftovers(tmp_path) == []

    def test_a_name_twice_is_refused(self, tmp_path: Path) -> None:
        out = tmp_path / "report"
        with pytest.raises(OutputError, match="twice"):
            write_folder([("index.html", "a"), ("index.html", "b")], out)
        assert list(tmp_path.iterdir()) == []

    def test_every_file_is_flushed_without_syncfs(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flushed: list[int]
    ) -> None:
        monkeypatch.setattr(output, "_syncfs", lambda _descriptor: False)
        out = tmp_path / "report"
        write_folder(pages("new", 2), out)
        # Each of the three files, then the staging folder and the parent folder.
        assert len(flushed) == 5
        assert contents(out) == pages("new", 2)

    @pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux call")
    def test_one_syncfs_instead_of_an_fsync_per_file(
        self, tmp_path: Path, flushed: list[int]
    ) -> None:
        out = tmp_path / "report"
        write_folder(pages("new", 20), out)
        # The staging folder and the parent folder; no file on its own.
        assert len(flushed) == 2
        assert contents(out) == pages("new", 20)
