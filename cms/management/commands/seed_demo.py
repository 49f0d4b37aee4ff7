"""The whole demo: the district's marketplace data, then the public site's content."""

import datetime as dt

from django.core.management import BaseCommand, call_command
from django.db import transaction
from django.utils.html import escape
from wagtail.models import Site

from cms.catalogue import invalidate
from cms.models import HomePage, NoticePage, RetiredTeacherPoolPage, StandardPage
from cms.notices import notice_index, publish_notice
from cms.publishing import sync_provider_page
from cms.tasks import refresh_candidate_list
from marketplace.choices import NoticeKind, ProviderKind
from marketplace.management.commands.seed_marketplace import BUREAU, DISTRICT, KIND_ZH
from marketplace.models import BureauSettings, CandidateList, Provider

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


POOL_INTRO = (
    "<p>退休教师库收录自愿参与课后服务、经健康状况和品行审核合格的退休教师。"
    "为保护个人信息，本页只公布按学科和服务镇街统计的人数。</p>"
)
POOL_HOW = (
    "<ol><li>学校课后服务负责人以书面或电话方式向区教育局基础教育科提出需求，写明学科、年级、"
    "时段和人数。</li><li>区教育局在三个工作日内从库中推荐人选，并向学校提供联系方式。</li>"
    "<li>学校与退休教师签订服务协议，按标准发放补助，补助由课后服务经费列支。</li></ol>"
)
POLICY_INTRO = "课后服务校外资源引进的政策依据和办理规则摘要。"
POLICY_BODY = [
    ("heading", "政策依据"),
    ("paragraph", "<p>本平台依据“双减”政策有关课后服务的要求建设。学校课后服务以本校教师为主，"
                  "确有需要时可引进具备资质的社会专业人员、退休教师、校外活动场所和非学科类"
                  "培训机构参与，但只能从区教育局公开的备选清单中选择。</p>"),
    ("heading", "准入条件"),
    ("paragraph", "<ul><li>机构须持有营业执照和办学许可，不得开展学科类培训；</li>"
                  "<li>所有进校人员须通过违法犯罪信息查询、身心健康和品行审核；</li>"
                  "<li>课程内容须经审核，符合学生年龄特点；</li>"
                  "<li>签订准入协议，明确安全责任、服务内容和退出条件。</li></ul>"),
    ("notice", {"title": "收费标准", "text": "校外专业人员每课时收费不超过 200 元；"
                                             "家长付费的个性化课程每生每学期不超过 600 元。"}),
    ("heading", "评价与退出"),
    ("paragraph", "<p>学校每学期组织学生、家长满意度测评，区教育局开展日常巡查和飞行检查。"
                  "在校招揽生源、不按协议提供服务、扰乱学校秩序或开展学科类培训的，"
                  "移出备选清单，十二个月内不得重新申请。</p>"),
]
NEWS = [
    (dt.date(2026, 6, 20), f"{DISTRICT}2026—2027学年课后服务校外资源遴选公告",
     "<p>为进一步提升课后服务质量，现面向社会公开遴选非学科类校外培训机构、社会专业人员、"
     "退休教师、校外活动场所和志愿者等课后服务资源。申请人可通过平台在线注册并提交资质材料，"
     "区教育局将组织资质审核、课程内容审核和背景审查，通过者纳入备选清单并向社会公示。</p>"),
    (dt.date(2026, 9, 1), "新学期课后服务工作部署会召开",
     f"<p>{BUREAU}召开新学期课后服务工作部署会，要求各校用好备选清单，"
     "落实一校一案，做好进校人员安全管理。</p>"),
]


def add_once(parent, page_class, slug, **fields):
    page = page_class.objects.filter(slug=slug).first()
    if page is None:
        page = page_class(slug=slug, **fields)
        parent.add_child(instance=page)
    else:
        for name, value in fields.items():
            setattr(page, name, value)
    page.save_revision().publish()
    return page


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
            add_once(home, StandardPage, "policies", title="政策与办事指南", intro=POLICY_INTRO,
                     body=POLICY_BODY, show_in_menus=True)
            add_once(home, RetiredTeacherPoolPage, "retired-teachers", title="退休教师库",
                     intro=POOL_INTRO, how_to_request=POOL_HOW, show_in_menus=True)
            index = notice_index()
            index.title = "公示公告"
            index.intro = "<p>备选清单的纳入、退出公示，以及区教育局的工作动态。</p>"
            index.show_in_menus = True
            index.save_revision().publish()
            for day, title, body in NEWS:
                add_once(index, NoticePage, f"news-{day:%Y%m%d}", title=title, body=body,
                         kind=NoticeKind.GENERAL, published_on=day)
            self.seed_provider_notices()
        if not CandidateList.objects.exists():
            refresh_candidate_list("demo data")
        invalidate()
        self.stdout.write("Public site content ready.")

    def seed_provider_notices(self):
        existing = set(NoticePage.objects.exclude(provider=None).values_list("kind", "provider"))
        named = Provider.objects.exclude(listed_on=None).filter(
            kind__in=ProviderKind.named_in_public())
        for provider in named.order_by("listed_on", "pk"):
            if (NoticeKind.LISTING, provider.pk) in existing:
                continue
            end = provider.listed_on + dt.timedelta(days=7)
            name = escape(provider.name)
            publish_notice(
                NoticeKind.LISTING, provider, on=provider.listed_on,
                title=f"关于{provider.name}纳入课后服务校外资源备选清单的公示",
                body=f"<p>经申报、资质审核、课程内容审核、背景审查和准入协议签订，"
                     f"{name}（{KIND_ZH[provider.kind]}）拟纳入{DISTRICT}中小学"
                     f"课后服务校外资源备选清单。公示期为{provider.listed_on:%Y年%m月%d日}至"
                     f"{end:%Y年%m月%d日}。如有异议，请在公示期内以书面形式向{BUREAU}"
                     f"基础教育科反映。</p>",  # the page adds the bureau's phone (BureauSettings)
            )
        for provider in named.filter(state="exited"):
            if (NoticeKind.EXIT, provider.pk) in existing:
                continue
            publish_notice(
                NoticeKind.EXIT, provider, on=dt.date(2026, 7, 14),
                title=f"关于{provider.name}退出课后服务校外资源备选清单的公示",
                body=f"<p>{escape(provider.name)}在提供课后服务期间存在在校招揽生源、未按协议提供服务等"
                     f"问题，经调查核实，根据退出机制规定，自即日起移出{DISTRICT}课后服务校外"
                     f"资源备选清单，十二个月内不得重新申请。各学校应立即停止与其合作。</p>",
            )
