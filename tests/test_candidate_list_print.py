"""The candidate list's Excel workbook prints like its PDF: landscape A4, every column on
the width of one page, as many pages down as the list needs."""

import io

import pytest
from openpyxl import load_workbook

from cms.publishing import sync_provider_page
from cms.tasks import refresh_candidate_list
from marketplace.models import CandidateList
from tests.factories import OfferingFactory, ProviderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]


def test_the_workbook_prints_landscape_fitted_to_the_page_width():
    provider = ProviderFactory(listed=True)
    OfferingFactory(provider=provider, review="verified")
    sync_provider_page(provider)
    refresh_candidate_list("test")
    with CandidateList.current().xlsx.open("rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read())).active

    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert int(setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(setup.fitToWidth) == 1
    assert int(setup.fitToHeight) == 0  # 0: no limit on the number of pages down
