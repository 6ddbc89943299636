"""The register import as a job: upload → preview → confirm, progress, and a killed worker."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.documents import register_import, register_jobs
from xinfang.documents.models import ImportJob, ImportStatus
from xinfang.documents.punctuation import fullwidth as F
from xinfang.documents.tests.test_register_import import _admin, _book, _row
from xinfang.org.choices import Role
from xinfang.petitions.models import Petition
from xinfang.petitions.tests.conftest import People
from xinfang.shell.testing import sign_in

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def _three_rows() -> bytes:
    return _book(
        [
            _row(内容摘要="第一件"),
            _row(内容摘要="第二件", 受理日期=date(2026, 3, 3), 当前状态="已受理"),
            _row(内容摘要="第三件"),
        ]
    )


def test_upload_shows_a_preview_and_imports_only_once_confirmed(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    admin = _admin(people)
    client = _client(admin)
    upload = SimpleUploadedFile("登记簿.xlsx", _three_rows())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:register_import"), {"unit": people.cast.county.pk, "file": upload}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:import_job_page", args=[job.pk])
    assert job.status == ImportStatus.CHECKED and job.dry_run
    assert not Petition.objects.exists()  # the preview wrote nothing
    page = client.get(reverse("documents:import_job_page", args=[job.pk])).content.decode()
    assert F("预览（尚未导入）") in page
    assert "共 3 件" in page and "确认导入 3 件" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:import_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and (job.processed, job.total) == (3, 3)
    assert register_jobs.progress_of(job).percent == 100
    assert Petition.objects.count() == 3
    status = client.get(reverse("documents:import_job_status", args=[job.pk])).content.decode()
    assert "导入完成" in status and "hx-get" not in status  # the bar stops polling


def test_a_bad_file_ends_the_preview_with_every_problem_and_nothing_imported(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(_admin(people))
    upload = SimpleUploadedFile("坏.xlsx", _book([_row(), _row(信访形式="飞鸽传书")]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("documents:register_import"), {"unit": people.cast.county.pk, "file": upload}
        )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    page = client.get(reverse("documents:import_job_page", args=[job.pk])).content.decode()
    assert "「受理事项总登记簿」表第 3 行「信访形式」列" in page
    assert "确认导入" not in page and not Petition.objects.exists()


def test_a_worker_killed_halfway_loses_nothing_and_the_job_can_be_restarted(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = _admin(people)
    job = register_jobs.start_import(
        user=admin, unit=people.cast.county, file_name="登记簿.xlsx", data=_three_rows()
    )
    register_jobs.run_import_job(job.pk)  # the preview
    job.refresh_from_db()
    register_jobs.confirm_import(job, user=admin)
    real_enter = register_import._enter
    entered: list[int] = []

    def dies_at_the_third_row(row: Any, **kwargs: Any) -> Any:
        if len(entered) == 2:
            raise KeyboardInterrupt  # the worker is killed: no handler of ours runs
        entered.append(row.row)
        return real_enter(row, **kwargs)

    monkeypatch.setattr(register_import, "_enter", dies_at_the_third_row)
    monkeypatch.setattr(register_import, "CHUNK", 1)  # count every row
    monkeypatch.setattr(register_jobs, "PROGRESS_INTERVAL", 0)  # and write every count
    with pytest.raises(KeyboardInterrupt):
        register_jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and job.attempt == 2
    assert not Petition.objects.exists()  # the import's transaction rolled back
    progress = register_jobs.progress_of(job)
    assert (progress.processed, progress.total, progress.phase) == (2, 3, "import")
    assert 20 < progress.percent < 100
    assert not register_jobs.is_stale(job)
    monkeypatch.setattr(register_import, "_enter", real_enter)
    later = timezone.now() + timedelta(seconds=register_jobs.STALE_SECONDS + 60)
    with time_machine.travel(later, tick=False):
        assert register_jobs.is_stale(job)
        client = _client(admin)
        page = client.get(reverse("documents:import_job_page", args=[job.pk])).content.decode()
        assert "重新开始" in page
        register_jobs.restart_import(job, user=admin)
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    register_jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempt == 3
    assert Petition.objects.count() == 3


def test_only_the_importer_sees_the_job_and_only_importers_open_the_page(people: People) -> None:
    admin = _admin(people)
    job = register_jobs.start_import(
        user=admin, unit=people.cast.county, file_name="登记簿.xlsx", data=_three_rows()
    )
    other = people.cast.user_with(Role.ADMINISTRATOR, people.cast.county, "other-admin")
    assert (
        _client(other).get(reverse("documents:import_job_page", args=[job.pk])).status_code == 404
    )
    handler = Client()
    handler.force_login(people.handler_a)
    assert handler.get(reverse("documents:register_import")).status_code == 404
