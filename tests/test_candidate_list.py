"""The candidate list (公开备选清单) as dated versions, its PDF and Excel downloads, and the
notices (公示) the workflow writes when an entry is listed or exits."""

import io
from unittest import mock

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from cms.models import NoticePage
from cms.publishing import sync_provider_page
from cms.tasks import refresh_candidate_list
from marketplace.models import CandidateList
from tests.conftest import download
from tests.factories import CredentialFactory, OfferingFactory, PersonFactory, ProviderFactory
from tests.test_admission_workflow import people, sign_both, to_contract  # noqa: F401
from workflows.admission import AdmissionState as S
from workflows.models import Reason
from workflows.transitions import run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page without whitespace: table cells wrap anywhere."""
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def xlsx_text(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    return "\n".join(" ".join(str(c) for c in row if c is not None)
                     for row in sheet.iter_rows(values_only=True))


@pytest.fixture
def listed(people):  # noqa: F811
    provider = to_contract(people)
    sign_both(provider, people["manager"])
    return run(provider, "approve_listing", by=people["manager"])


def test_listing_an_entry_publishes_a_new_version_and_a_notice(listed, client):
    version = CandidateList.current()
    assert version.version == 1 and version.provider_count == 1
    assert [e["name"] for e in version.entries] == [listed.name]
    notice = NoticePage.objects.live().get(provider=listed)
    assert notice.kind == "listing" and notice.list_version == version
    assert listed.name in notice.title
    body = client.get(notice.url).content.decode()
    assert "/downloads/candidate-list/v1.pdf" in body


def test_the_downloads_hold_the_list_with_date_and_version_on_every_page(listed, client):
    status, data = download(client, "/downloads/candidate-list.pdf")
    assert status == 200 and data.startswith(b"%PDF")
    pages = pdf_pages(data)
    version = CandidateList.current()
    stamp = timezone.localtime(version.published_at).strftime("%Y-%m-%d")  # Shanghai date
    assert listed.name in "".join(pages)
    for text in pages:
        assert "第1版" in text and stamp in text
    status, data = download(client, "/downloads/candidate-list.xlsx")
    assert status == 200
    text = xlsx_text(data)
    assert listed.name in text and "第 1 版" in text
    for offering in listed.active_offerings():
        assert offering.title in text


def test_a_long_list_breaks_across_pages_and_keeps_the_stamp(db):
    for n in range(40):
        provider = ProviderFactory(listed=True, name=f"第{n:02d}号课后服务中心")
        OfferingFactory.create_batch(3, provider=provider, review="verified")
        sync_provider_page(provider)
    refresh_candidate_list("test")
    version = CandidateList.current()
    with version.pdf.open("rb") as stored:
        pages = pdf_pages(stored.read())
    assert len(pages) > 2
    assert all("第1版" in text for text in pages)
    assert "第39号课后服务中心" in "".join(pages)


def test_an_exit_makes_a_new_version_without_the_entry_and_keeps_the_old_one(
        listed, people, client):  # noqa: F811
    run(listed, "exit", by=people["manager"], reason=Reason.VIOLATION, comment="在校招揽生源")
    assert CandidateList.current().version == 2
    assert CandidateList.current().provider_count == 0
    notice = NoticePage.objects.live().get(provider=listed, kind="exit")
    assert notice.list_version.version == 2
    _, data = download(client, "/downloads/candidate-list.xlsx")
    assert listed.name not in xlsx_text(data)
    _, old = download(client, "/downloads/candidate-list/v1.xlsx")
    assert listed.name in xlsx_text(old)


def test_a_suspension_changes_the_list_without_a_notice(listed, people):  # noqa: F811
    run(listed, "suspend", by=people["manager"], reason=Reason.VIOLATION, comment="飞行检查")
    assert CandidateList.current().provider_count == 0
    assert not NoticePage.objects.filter(provider=listed, kind="exit").exists()


def test_no_private_data_reaches_the_downloads(listed, client):
    provider = listed
    person = provider.active_people().first()
    PersonFactory(provider=provider, full_name="赵秘密")
    CredentialFactory(provider=provider, for_person=True, number="HC-SECRET-123")
    refresh_candidate_list("test")
    _, pdf = download(client, "/downloads/candidate-list.pdf")
    _, xlsx = download(client, "/downloads/candidate-list.xlsx")
    for text in ("".join(pdf_pages(pdf)), xlsx_text(xlsx)):
        for secret in (person.id_number, person.full_name, person.phone, "赵秘密",
                       "HC-SECRET-123", provider.contact_phone, provider.contact_email):
            assert secret and secret not in text


def test_before_the_first_version_a_download_says_it_is_being_prepared(db, client):
    with mock.patch("cms.views.outbox.schedule") as queued:
        response = client.get("/downloads/candidate-list.pdf")
        again = client.get("/downloads/candidate-list.xlsx")
    assert again.status_code == 503  # still being prepared: not queued a second time
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "正在生成" in response.content.decode()
    queued.assert_called_once()
    assert queued.call_args.args[0].name == "cms.tasks.refresh_candidate_list"


def test_the_first_download_makes_the_first_version_when_tasks_run_inline(db, client):
    provider = ProviderFactory(listed=True)
    OfferingFactory(provider=provider, review="verified")
    sync_provider_page(provider)
    status, data = download(client, "/downloads/candidate-list.xlsx")
    assert status == 200 and provider.name in xlsx_text(data)
    assert CandidateList.objects.count() == 1


def test_vendor_text_in_the_workbook_stays_text(db, client):
    provider = ProviderFactory(listed=True, name='=HYPERLINK("http://x.example/","点我")')
    OfferingFactory(provider=provider, review="verified", title="+1+1")
    sync_provider_page(provider)
    refresh_candidate_list("test")
    with CandidateList.current().xlsx.open("rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read())).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value in (provider.name, "+1+1")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def test_a_redelivered_listing_task_makes_no_second_version_or_notice(listed):
    from cms.tasks import provider_list_changed
    from workflows.models import TimelineEntry

    entry = TimelineEntry.objects.filter(object_id=listed.pk, action="approve_listing").get()
    again = provider_list_changed(listed.pk, S.CONTRACT, S.LISTED, entry.pk)
    assert again == 1 and CandidateList.objects.count() == 1
    assert NoticePage.objects.filter(provider=listed).count() == 1


def test_retired_teachers_are_not_listed_by_name(db, client):
    teacher = ProviderFactory(listed=True, kind="retired_teacher", credit_code="",
                              name="王建国")
    OfferingFactory(provider=teacher, review="verified", title="合唱团训练")
    assert sync_provider_page(teacher) is None or not teacher.page.live
    refresh_candidate_list("test")
    assert CandidateList.current().provider_count == 0
    _, data = download(client, "/downloads/candidate-list.xlsx")
    assert "王建国" not in xlsx_text(data)
    assert "王建国" not in client.get("/catalogue/?q=合唱").content.decode()


def test_unknown_versions_and_formats_are_not_found(listed, client):
    assert client.get("/downloads/candidate-list/v99.pdf").status_code == 404
    assert client.get("/downloads/candidate-list.docx").status_code == 404
    assert listed.state == S.LISTED
