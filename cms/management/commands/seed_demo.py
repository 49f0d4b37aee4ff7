"""The whole demo: the district's marketplace data, then the public site's content."""

from django.core.management import BaseCommand, call_command
from django.db import transaction
from wagtail.models import Site

from cms.models import HomePage
from cms.publishing import sync_provider_page
from marketplace.models import BureauSettings, Provider

HOME_TITLE = "滨江区中小学课后服务校外资源平台"
HOME_INTRO = (
    "<p>滨江区教育局依据“双减”政策，面向社会公开遴选非学科类培训机构、场馆与实践基地、"
    "专业人员、退休教师和志愿者，经资质审核、违法信息查询和协议签署后纳入备选清单。"
    "学校只能从备选清单中选择课后服务提供方。</p>"
)
HOME_BODY = [
    ("heading", "入驻须知"),
    ("paragraph", "<p>申请入驻的机构和个人须如实提交资质材料；所有进校人员须通过违法信息查询、"
                  "身心健康和品行审核。机构不得借课后服务之名开展学科类培训，不得在校招揽生源。</p>"),
    ("notice", {"title": "收费标准", "text": "校外专业人员每课时收费不超过 200 元；"
                                             "家长付费的个性化课程每生每学期不超过 600 元。"}),
    ("heading", "服务时间"),
    ("paragraph", "<p>小学课后服务结束时间不晚于 18:30，初中不晚于 19:00。</p>"),
]


class Command(BaseCommand):
    help = "Seed the demo district and the public site's content (idempotent)."

    def handle(self, *args, **options):
        call_command("seed_marketplace", stdout=self.stdout, stderr=self.stderr)
        with transaction.atomic():
            site = Site.objects.get(is_default_site=True)
            BureauSettings.objects.update_or_create(
                site=site,
                defaults={
                    "bureau_name": "滨江区教育局",
                    "district_name": "滨江区",
                    "address": "滨江区江滨大道 188 号",
                    "phone": "0571-87650000",
                    "email": "kfw@jyj.binjiang.example.cn",
                    "office_hours": "工作日 8:30—17:00",
                },
            )
            home = HomePage.objects.get().specific
            home.title = HOME_TITLE
            home.intro = HOME_INTRO
            home.body = HOME_BODY
            home.save_revision().publish()
            for provider in Provider.objects.filter(state__in=["listed", "suspended", "exited"]):
                sync_provider_page(provider)
        self.stdout.write("Public site content ready.")
