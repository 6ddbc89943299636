"""The yearly archive package: documents, timeline and metadata, every file hashed."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from xinfang.core.models import AuditEntry
from xinfang.core.workflow import SYSTEM
from xinfang.documents.archive import export_year
from xinfang.documents.models import IssuedDocument
from xinfang.documents.tests.test_documents import _answered
from xinfang.petitions.choices import Status
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.workflow import transition

pytestmark = pytest.mark.django_db


def _closed(people: People) -> object:
    p = _answered(people)
    return transition(p.__class__.objects.get(pk=p.pk), Status.CLOSED, actor=people.handler_a)


def test_the_package_holds_each_closed_matter_with_its_files_and_their_hashes(
    people: People, tmp_path: Path
) -> None:
    closed = _closed(people)
    package = export_year(2026, tmp_path / "2026.zip", actor=SYSTEM)
    assert package.matters == 1
    with zipfile.ZipFile(package.path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        folder = closed.number
        assert f"{folder}/metadata.json" in manifest["files"]
        documents = [n for n in manifest["files"] if n.startswith(f"{folder}/documents/")]
        assert any(n.endswith("-answer.pdf") for n in documents)
        for name, entry in manifest["files"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"]
        steps = [row["step"] for row in json.loads(archive.read(f"{folder}/timeline.json"))]
        metadata = json.loads(archive.read(f"{folder}/metadata.json"))
    assert steps[0] == "register" and steps[-1] == "close"
    assert metadata["number"] == closed.number and metadata["closed_on"] == "2026-09-01"
    # The package holds the documents as issued: the same bytes a re-print gives.
    issued = IssuedDocument.objects.filter(petition=closed)
    assert issued.count() == len(documents)
    assert {d.number for d in issued} == {d["number"] for d in metadata["documents"]}


def test_a_matter_still_open_or_closed_in_another_year_is_not_in_the_package(
    people: People, tmp_path: Path
) -> None:
    _answered(people)
    assert export_year(2026, tmp_path / "a.zip", actor=SYSTEM).matters == 0
    _closed(people)
    assert export_year(2025, tmp_path / "b.zip", actor=SYSTEM).matters == 0


def test_exporting_is_audited_with_the_manifest_hash(people: People, tmp_path: Path) -> None:
    _closed(people)
    call_command("archive_year", "2026", str(tmp_path / "2026.zip"))
    entry = AuditEntry.objects.get(object_type="documents.archive")
    with zipfile.ZipFile(tmp_path / "2026.zip") as archive:
        digest = hashlib.sha256(archive.read("manifest.json")).hexdigest()
    assert entry.action == "export" and entry.detail["manifest_sha256"] == digest
