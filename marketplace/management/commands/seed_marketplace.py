"""Seed a realistic demo district (滨江区): towns, schools, providers with staff,
credentials and checks, offerings in every category, terms, bookings, evaluations,
an exit case, notices, and one login per role.

Idempotent: every row is looked up by a natural key and updated in place, so running
the command again resets the demo data to its seeded values without duplicating
anything. Files are only written when a row is first created.

All random choices come from ``random.Random(2026)`` and are drawn in the same order on
every run, whatever the database already holds, so the data is stable.

Identity numbers are generated here but never printed or logged.
"""

import datetime as dt
import io
import random
import time
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from marketplace.choices import (
    Category,
    CharacterResult,
    CheckAdapter,
    ContractKind,
    CriminalRecordResult,
    Delivery,
    EvaluationKind,
    ExitReason,
    ExitTrigger,
    HealthResult,
    InspectionKind,
    ProviderKind,
    ResourceType,
    SchoolLevel,
    SignatureParty,
    VerificationState,
)
from marketplace.choices import CredentialType as C
from marketplace.credentials import REQUIRED_FOR_PERSON, REQUIRED_FOR_PROVIDER
from marketplace.models import (
    BackgroundCheck,
    Booking,
    BookingSlot,
    Contract,
    Credential,
    Evaluation,
    ExitCase,
    Offering,
    Person,
    Provider,
    ScheduleEntry,
    School,
    Signature,
    Term,
    Town,
    id_number_digest,
)
from marketplace.roles import Role
from marketplace.validators import id_number_check_char, uscc_check_char
from media.storage import sha256_of
from workflows import policy
from workflows.admission import AdmissionState as S
from workflows.booking import BookingState
from workflows.checks import CheckState
from workflows.exit import ExitState
from workflows.models import Reason, TimelineEntry

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo password
DISTRICT = "滨江区"
DISTRICT_CODE = "330108"
EMAIL_DOMAIN = "demo.example.cn"
BUREAU = "滨江区教育局"

TOWNS = [
    "城关街道", "江湾镇", "滨海街道", "文昌街道", "望江街道", "新塘镇",
    "白沙镇", "梅林镇", "桃源街道", "临江镇", "青山镇", "石桥街道",
]
ROADS = [
    "人民路", "解放路", "江滨大道", "文昌路", "学院路", "建设路", "望江路", "新华街",
    "育才路", "钱江路", "长河路", "滨文路", "江南大道", "春晓路", "闻涛路", "东信大道",
]

# --- schools ----------------------------------------------------------------------------
P, J, N = SchoolLevel.PRIMARY, SchoolLevel.JUNIOR, SchoolLevel.NINE_YEAR
SCHOOLS = [
    ("滨江区实验小学", "城关街道", P),
    ("滨江区城关中学", "城关街道", J),
    ("滨江区江湾镇中心小学", "江湾镇", P),
    ("滨江区江湾镇初级中学", "江湾镇", J),
    ("滨江区滨海小学", "滨海街道", P),
    ("滨江区滨海实验学校", "滨海街道", N),
    ("滨江区文昌小学", "文昌街道", P),
    ("滨江区文昌中学", "文昌街道", J),
    ("滨江区望江小学", "望江街道", P),
    ("滨江区第二实验小学", "望江街道", P),
    ("滨江区新塘镇中心小学", "新塘镇", P),
    ("滨江区新塘镇九年一贯制学校", "新塘镇", N),
    ("滨江区白沙镇中心小学", "白沙镇", P),
    ("滨江区白沙镇初级中学", "白沙镇", J),
    ("滨江区梅林镇中心小学", "梅林镇", P),
    ("滨江区梅林学校", "梅林镇", N),
    ("滨江区桃源小学", "桃源街道", P),
    ("滨江区外国语学校", "桃源街道", N),
    ("滨江区临江镇中心小学", "临江镇", P),
    ("滨江区临江镇初级中学", "临江镇", J),
    ("滨江区青山镇中心小学", "青山镇", P),
    ("滨江区青山学校", "青山镇", N),
    ("滨江区石桥小学", "石桥街道", P),
    ("滨江区第三中学", "石桥街道", J),
]

# --- offering templates -----------------------------------------------------------------
CAT = Category
SAFETY = {
    CAT.MORAL: "活动在校内教室或礼堂开展，授课人员全程在场；外出参观由学校教师共同带队，"
               "点名签到、签退，确保学生人数清楚。",
    CAT.READING: "在教室或图书馆开展，授课人员与学校值班教师共同看护；读物经学校审核，"
                 "内容健康积极。",
    CAT.TECHNOLOGY: "设备课前检查，电源和电池集中管理；使用工具时分组看护，教师示范后再操作；"
                    "学生使用平板电脑单次不超过20分钟，注意用眼卫生。",
    CAT.SCIENCE: "实验材料均为无毒常见材料，危险操作只由教师演示；学生佩戴护目镜，"
                 "实验后及时清理台面并洗手。",
    CAT.SPORTS: "训练前核对学生健康情况并充分热身；教练持证上岗，全程看护；场地器材课前检查；"
                "现场配备急救包，发生伤害立即处置并通知学校和家长。",
    CAT.ARTS: "使用儿童安全画材和工具，刀具类由教师统一保管发放；活动场地保持通道畅通，"
              "课后清点人数交回班主任。",
    CAT.LABOUR: "劳动工具课前检查并讲解正确使用方法，学生佩戴手套和围裙；涉及刀具、热源的环节"
                "由教师一对一指导；外出实践购买学生意外险，师生比不低于1:10。",
    CAT.SAFETY: "演练方案提前报学校审定，疏散路线提前勘察；演练全程设置安全员，"
                "禁止奔跑推挤；器材由专业人员操作和回收。",
    CAT.MENTAL_HEALTH: "由持证心理咨询师开展，严格保护学生隐私；发现心理危机个案按学校流程及时"
                       "转介并告知学校心理教师；团体活动不涉及身体对抗。",
    CAT.HERITAGE: "剪刀、刻刀等工具由传承人统一保管并指导使用；材料无毒环保；"
                  "活动后清点工具，清洁场地。",
    CAT.ECOLOGY: "户外观察提前勘察路线，远离水边和陡坡；学生穿着长袖长裤，配备驱蚊用品；"
                 "师生比不低于1:10，按小组点名。",
    CAT.FILM: "影片经学校审核，符合中小学生观影推荐目录；拍摄器材课前检查，外拍不出校园；"
              "学生肖像使用事先取得家长同意。",
    CAT.FIRST_AID: "使用训练专用模拟人和AED训练机，每次使用后消毒；操作练习在教师指导下进行，"
                   "不在学生之间实施按压。",
    CAT.HOMEWORK: "在本班教室进行，不讲授新课、不布置额外作业；授课人员与班主任做好交接，"
                  "按时放学签退。",
    CAT.OTHER: "活动在校内或指定场馆开展，授课人员全程看护；外出活动由学校教师共同带队，"
               "购买学生意外险并提前告知家长。",
}

IN, VENUE_D, ONLINE = Delivery.IN_SCHOOL, Delivery.AT_VENUE, Delivery.ONLINE
COURSE, VENUE_R = ResourceType.COURSE, ResourceType.VENUE

# key: (category, title, grade_from, grade_to, minutes, capacity, delivery, resource_type,
#       outline, materials)
TEMPLATES = {
    # 德育
    "m1": (CAT.MORAL, "红色故事宣讲", 3, 9, 60, 45, IN, COURSE,
           "讲述本地革命先辈和时代楷模故事；学生分组排演课本剧；制作红色故事手抄报；"
           "期末举办“讲好红色故事”展示会。", "故事绘本、多媒体课件、手抄报纸张"),
    "m2": (CAT.MORAL, "文明礼仪养成课", 1, 4, 40, 40, IN, COURSE,
           "学习问候、用餐、排队、公共场所等日常礼仪；情景模拟练习；家校共评“礼仪小明星”。",
           "礼仪情景卡片、评比表"),
    "m3": (CAT.MORAL, "国旗护卫队训练", 4, 9, 60, 30, IN, COURSE,
           "学习国旗知识和升旗礼仪；队列、正步、升旗动作分解训练；参与学校升旗仪式。",
           "训练用旗、队列口令卡"),
    "m4": (CAT.MORAL, "法治小课堂", 4, 9, 45, 60, IN, COURSE,
           "结合校园欺凌、网络交友、未成年人保护等真实案例讲解法律常识；模拟法庭角色体验。",
           "案例课件、模拟法庭道具"),
    "m5": (CAT.MORAL, "传统节日与家风家训", 1, 6, 45, 45, IN, COURSE,
           "结合春节、清明、端午、中秋等节日讲述习俗由来；搜集整理自家家训并分享。",
           "节日习俗图片、家训卡片"),
    # 阅读
    "r1": (CAT.READING, "绘本共读与创意表达", 1, 3, 40, 30, IN, COURSE,
           "每周共读一本优秀绘本；通过提问、续编、角色扮演理解故事；学期末制作班级自制绘本。",
           "精选绘本40册、彩笔、画纸"),
    "r2": (CAT.READING, "整本书阅读分享会", 4, 6, 60, 40, IN, COURSE,
           "每学期共读2至3本儿童文学名著；阅读任务单引导；小组读书汇报和好书推荐会。",
           "共读书目、阅读任务单"),
    "r3": (CAT.READING, "经典诵读", 1, 6, 40, 45, IN, COURSE,
           "诵读《三字经》《弟子规》及古诗词精选；学习停连、重音等朗读技巧；期末诵读展演。",
           "诵读读本、伴奏音乐"),
    "r4": (CAT.READING, "图书馆小馆员体验", 3, 6, 90, 40, VENUE_D, VENUE_R,
           "参观图书馆各功能区；学习图书分类、上架和借还流程；担任半日小馆员服务读者。",
           "馆员工作牌、图书分类表"),
    "r5": (CAT.READING, "青少年读书会", 7, 9, 60, 35, IN, COURSE,
           "围绕成长、科学、历史主题选读经典；撰写读书笔记；开展辩论式读书交流。",
           "推荐书目、读书笔记本"),
    "r6": (CAT.READING, "名家线上讲读", 3, 9, 45, 200, ONLINE, COURSE,
           "邀请儿童文学作家线上讲读作品；直播互动问答；课后推荐延伸阅读书目。",
           "直播平台、班级大屏"),
    # 科技
    "t1": (CAT.TECHNOLOGY, "少儿编程入门（Scratch）", 3, 6, 60, 30, IN, COURSE,
           "认识Scratch编程环境；角色、造型与动画；顺序、循环和条件；完成一个互动小游戏作品。",
           "机房电脑或平板电脑、Scratch 3.0离线版"),
    "t2": (CAT.TECHNOLOGY, "Python趣味编程", 6, 9, 60, 30, IN, COURSE,
           "用海龟绘图学习变量、循环与函数；编写猜数字、成绩统计等小程序；期末作品展示。",
           "机房电脑、Python 3编程环境"),
    "t3": (CAT.TECHNOLOGY, "机器人搭建与编程", 3, 8, 90, 24, IN, COURSE,
           "认识传感器和电机；按任务搭建机器人结构；图形化编程完成巡线、避障任务；"
           "组队参加校内机器人挑战赛。", "教育机器人套装12套、笔记本电脑"),
    "t4": (CAT.TECHNOLOGY, "航模制作与放飞", 4, 9, 90, 30, IN, COURSE,
           "了解飞行原理；制作橡筋动力飞机和手掷滑翔机；操场试飞与调试；留空时间比赛。",
           "航模套材、胶水、砂纸"),
    "t5": (CAT.TECHNOLOGY, "3D打印创意设计", 5, 9, 60, 24, IN, COURSE,
           "学习三维建模软件基础操作；设计笔筒、钥匙扣等生活用品；切片与打印；作品展评。",
           "3D打印机2台、PLA耗材、建模软件"),
    "t6": (CAT.TECHNOLOGY, "创客电子制作", 5, 9, 90, 24, IN, COURSE,
           "认识电路与常用元件；用开源硬件制作声控灯、智能小夜灯；项目式完成创客作品。",
           "开源硬件套件、面包板、低压电源"),
    "t7": (CAT.TECHNOLOGY, "无人机编程飞行", 5, 9, 60, 20, IN, COURSE,
           "学习无人机结构和飞行安全规范；图形化编程控制起降、航线飞行；编队飞行展示。",
           "教育编程无人机10架、防护网"),
    # 科普
    "s1": (CAT.SCIENCE, "趣味科学实验", 1, 6, 60, 30, IN, COURSE,
           "围绕空气、水、光、磁、声等主题开展动手小实验；记录实验现象；"
           "学期末举办科学小达人秀。", "实验材料包、护目镜、实验记录本"),
    "s2": (CAT.SCIENCE, "天文观测与星空科普", 3, 9, 90, 40, IN, COURSE,
           "认识四季星空和太阳系；学习使用天文望远镜；组织傍晚月面观测；制作星座转盘。",
           "天文望远镜2台、星图、星座转盘材料"),
    "s3": (CAT.SCIENCE, "昆虫世界探秘", 1, 6, 60, 30, IN, COURSE,
           "认识常见昆虫的形态和习性；校园昆虫观察与记录；制作昆虫标本卡片。",
           "放大镜、观察盒、昆虫图鉴"),
    "s4": (CAT.SCIENCE, "科技馆研学之旅", 1, 9, 150, 60, VENUE_D, VENUE_R,
           "按学段设计参观路线；科学辅导员讲解重点展项；动手体验区分组探究；完成研学任务单。",
           "研学任务单、展厅导览图"),
    "s5": (CAT.SCIENCE, "气象小观察员", 3, 6, 60, 30, IN, COURSE,
           "认识温度、湿度、风向和降水；使用简易气象仪器；坚持一个月天气观测并制作气象日历。",
           "简易气象箱、雨量筒、记录表"),
    "s6": (CAT.SCIENCE, "生活中的科学小魔术", 1, 5, 40, 35, IN, COURSE,
           "以“魔术”揭秘的方式讲解表面张力、浮力、静电等原理；学生动手复现并讲解原理。",
           "常见生活材料、演示道具"),
    # 体育
    "p1": (CAT.SPORTS, "青少年篮球训练营", 3, 9, 90, 30, IN, COURSE,
           "运球、传球、投篮基本功训练；攻防基础战术；体能与协调性练习；班级联赛实战。",
           "篮球30个、标志桶、训练背心"),
    "p2": (CAT.SPORTS, "校园足球基础训练", 1, 6, 60, 30, IN, COURSE,
           "球性练习和趣味游戏；脚内侧传接球、运球过人；小场地比赛；足球规则启蒙。",
           "足球30个、标志盘、小球门"),
    "p3": (CAT.SPORTS, "乒乓球兴趣班", 2, 9, 60, 24, IN, COURSE,
           "握拍与站位；正手攻球、反手推挡；发球与接发球；校内乒乓球积分赛。",
           "乒乓球台6张、球拍、多球训练筐"),
    "p4": (CAT.SPORTS, "跆拳道入门", 1, 6, 60, 30, IN, COURSE,
           "礼仪与基本站姿；前踢、横踢等基本腿法；品势一章；柔韧与协调练习。",
           "脚靶、护具、训练垫"),
    "p5": (CAT.SPORTS, "少儿游泳技能培训", 2, 6, 90, 20, VENUE_D, COURSE,
           "水性适应；蛙泳腿、臂及配合动作；踩水与自救技能；结业考核获得游泳技能证书。",
           "游泳馆、浮板、救生设备"),
    "p6": (CAT.SPORTS, "花样跳绳", 1, 6, 40, 40, IN, COURSE,
           "单摇、双摇、交叉跳等基本花样；长绳集体跳；编排班级花样跳绳展示节目。",
           "竹节跳绳、长绳、音乐音箱"),
    "p7": (CAT.SPORTS, "田径体能训练", 4, 9, 60, 30, IN, COURSE,
           "跑、跳、投基本技术；速度、耐力、柔韧素质循环练习；校运会项目专项辅导。",
           "标志桶、软式实心球、跨栏架"),
    "p8": (CAT.SPORTS, "武术基本功", 1, 9, 60, 30, IN, COURSE,
           "武术礼仪；手型、步型和基本腿法；少年拳第一套；集体武术操展演。",
           "训练垫、音乐音箱"),
    # 艺术
    "a1": (CAT.ARTS, "少儿素描基础", 3, 9, 90, 25, IN, COURSE,
           "线条与明暗练习；几何体、静物写生；校园一角速写；期末举办小画展。",
           "素描纸、铅笔、画板、石膏几何体"),
    "a2": (CAT.ARTS, "创意水彩画", 1, 6, 60, 25, IN, COURSE,
           "认识色彩与水分控制；植物、动物、风景主题创作；拼贴与水彩结合的创意表现。",
           "儿童水彩颜料、水彩纸、画笔"),
    "a3": (CAT.ARTS, "软笔书法", 3, 9, 60, 30, IN, COURSE,
           "执笔与坐姿；楷书基本笔画与偏旁部首；临摹颜体字帖；作品装裱与展示。",
           "毛笔、毛毡、水写布、字帖"),
    "a4": (CAT.ARTS, "硬笔书法规范字", 1, 6, 40, 40, IN, COURSE,
           "正确执笔与书写姿势；基本笔画与结构规律；常用汉字规范书写；书写比赛。",
           "练字本、铅笔"),
    "a5": (CAT.ARTS, "合唱团训练", 2, 9, 60, 50, IN, COURSE,
           "发声方法与气息训练；二声部合唱曲目排练；舞台表演礼仪；参加区级艺术节展演。",
           "钢琴、合唱曲谱"),
    "a6": (CAT.ARTS, "少儿民族舞", 1, 6, 60, 25, IN, COURSE,
           "舞蹈基本功与软开度；藏族、蒙古族、傣族舞蹈组合；排练集体舞蹈节目。",
           "把杆、舞蹈鞋、音响"),
    "a7": (CAT.ARTS, "尤克里里弹唱", 3, 9, 60, 25, IN, COURSE,
           "认识乐器与调音；基本和弦与扫弦节奏；学唱10首儿童歌曲；班级弹唱音乐会。",
           "尤克里里25把、谱架"),
    "a8": (CAT.ARTS, "校园戏剧表演", 4, 9, 90, 30, IN, COURSE,
           "肢体与声音表达训练；即兴表演游戏；排演校园短剧；学期末公开汇报演出。",
           "简易服装道具、剧本"),
    "a9": (CAT.ARTS, "陶艺手工制作", 2, 9, 90, 20, IN, COURSE,
           "认识陶泥特性；捏塑、泥条盘筑、泥板成型；上釉与烧制；作品展览。",
           "陶泥、陶艺工具、电窑（机构自带）"),
    # 劳动
    "l1": (CAT.LABOUR, "农耕劳动实践", 3, 9, 150, 80, VENUE_D, VENUE_R,
           "认识农具与节气；分组翻地、播种、除草、收获；体验插秧或采摘；撰写劳动日记。",
           "农具、手套、草帽、劳动记录册"),
    "l2": (CAT.LABOUR, "校园种植小能手", 1, 6, 60, 30, IN, COURSE,
           "认领班级种植箱；学习播种、浇水、施肥、搭架；记录植物生长；收获分享会。",
           "种植箱、种子、园艺工具"),
    "l3": (CAT.LABOUR, "中华美食烹饪体验", 4, 9, 90, 24, IN, COURSE,
           "认识食材与厨房安全；包饺子、做青团、蒸米糕等传统美食制作；营养搭配小常识。",
           "电磁炉、厨具、食材（当日采购）"),
    "l4": (CAT.LABOUR, "木工创意制作", 4, 9, 90, 20, IN, COURSE,
           "认识木材和手工工具；锯、刨、钻、打磨基本技能；制作小板凳、置物架等作品。",
           "儿童木工工具套装、松木板、护目镜"),
    "l5": (CAT.LABOUR, "茶园采茶与制茶体验", 3, 9, 180, 60, VENUE_D, VENUE_R,
           "走进茶园了解茶树种植；学习一芽一叶采摘；观摩并体验杀青、揉捻；茶艺礼仪。",
           "采茶篮、制茶设备、茶具"),
    "l6": (CAT.LABOUR, "家务劳动技能课", 1, 4, 40, 40, IN, COURSE,
           "整理书包与衣物折叠；简单清洁与垃圾分类；学做凉拌菜等简单家务；家庭劳动打卡。",
           "收纳盒、示范衣物、清洁用具"),
    # 安全实训
    "sa1": (CAT.SAFETY, "校园安全应急演练", 1, 9, 60, 200, IN, COURSE,
            "地震、火灾应急疏散演练；“一分钟逃生”要领；演练复盘与安全知识问答。",
            "警报器、疏散指示牌、烟雾模拟器（无害）"),
    "sa2": (CAT.SAFETY, "消防安全体验", 1, 9, 120, 80, VENUE_D, VENUE_R,
            "参观消防站和消防车；体验烟雾逃生通道；学习使用灭火器；拨打119模拟报警。",
            "烟雾逃生屋、训练用灭火器、消防装备"),
    "sa3": (CAT.SAFETY, "防溺水安全教育", 1, 9, 45, 60, IN, COURSE,
            "“六不”防溺水要求讲解；识别危险水域；岸上施救方法；溺水案例警示。",
            "救生圈、救生绳、宣传挂图"),
    "sa4": (CAT.SAFETY, "交通安全小课堂", 1, 6, 40, 60, IN, COURSE,
            "认识交通信号和标志；安全过马路与乘车安全；电动自行车风险；模拟路口情景练习。",
            "交通标志牌、模拟路口地贴"),
    "sa5": (CAT.SAFETY, "防诈骗与网络安全", 5, 9, 45, 80, IN, COURSE,
            "常见电信网络诈骗手法揭秘；个人信息保护；文明上网与防沉迷；情景辨析练习。",
            "案例课件、情景卡片"),
    # 心理健康
    "mh1": (CAT.MENTAL_HEALTH, "情绪管理小课堂", 3, 6, 45, 30, IN, COURSE,
            "认识喜怒哀惧等基本情绪；情绪温度计与表达练习；学习深呼吸等自我调节方法。",
            "情绪卡片、绘本"),
    "mh2": (CAT.MENTAL_HEALTH, "青春期心理成长团辅", 7, 9, 60, 30, IN, COURSE,
            "认识青春期身心变化；同伴关系与亲子沟通；压力管理与考试焦虑调适；团体辅导游戏。",
            "团辅道具、活动手册"),
    "mh3": (CAT.MENTAL_HEALTH, "沙盘游戏心理辅导", 1, 6, 60, 12, IN, COURSE,
            "小组沙盘游戏；在安全氛围中表达与分享；促进自我认识与同伴合作。",
            "沙盘2套、沙具"),
    "mh4": (CAT.MENTAL_HEALTH, "人际交往与团队合作拓展", 4, 9, 90, 40, IN, COURSE,
            "破冰游戏；信任背摔（低位保护版）、穿越电网等团队挑战；活动分享与反思。",
            "拓展道具、保护垫"),
    "mh5": (CAT.MENTAL_HEALTH, "家庭教育线上讲座", 1, 9, 60, 500, ONLINE, COURSE,
            "面向家长与学生的线上讲座：亲子沟通、手机使用约定、情绪陪伴；线上答疑。",
            "直播平台"),
    # 非遗
    "h1": (CAT.HERITAGE, "非遗剪纸课程", 2, 9, 60, 30, IN, COURSE,
           "了解剪纸历史与流派；折剪、阴刻阳刻技法；剪制窗花、生肖、团花作品；作品展。",
           "红纸、儿童安全剪刀、刻刀（教师保管）"),
    "h2": (CAT.HERITAGE, "竹编技艺传习", 4, 9, 90, 20, IN, COURSE,
           "认识竹材与竹编工具；学习挑一压一等基本编法；编制杯垫、小竹篮。",
           "竹篾、竹编工具"),
    "h3": (CAT.HERITAGE, "木偶戏表演体验", 3, 9, 60, 30, IN, COURSE,
           "欣赏传统木偶戏片段；学习杖头木偶基本操作；分组排演木偶小剧目。",
           "杖头木偶10个、小舞台"),
    "h4": (CAT.HERITAGE, "越剧唱腔启蒙", 3, 9, 60, 30, IN, COURSE,
           "越剧起源与流派介绍；学唱经典唱段；水袖、台步等身段基本功；戏曲展演。",
           "水袖、伴奏音乐"),
    "h5": (CAT.HERITAGE, "传统扎染体验", 3, 9, 90, 25, IN, COURSE,
           "了解扎染历史与植物染料；学习捆扎、缝扎技法；完成扎染方巾作品。",
           "白棉布、植物染料、皮筋、手套"),
    "h6": (CAT.HERITAGE, "非遗文化传习馆研学", 1, 9, 120, 60, VENUE_D, VENUE_R,
           "参观非遗展陈；传承人现场展示技艺；分组体验一项非遗手工；完成研学手册。",
           "研学手册、体验材料包"),
    "h7": (CAT.HERITAGE, "皮影戏制作与表演", 3, 9, 90, 25, IN, COURSE,
           "皮影戏历史与造型特点；绘制、镂刻、组装简易皮影；排练并表演皮影小故事。",
           "透明胶片、彩笔、竹签、幕布灯箱"),
    # 生态教育
    "e1": (CAT.ECOLOGY, "湿地自然观察", 1, 9, 150, 60, VENUE_D, VENUE_R,
           "湿地生态系统讲解；观察水生植物与水鸟；水质简易检测；完成自然笔记。",
           "望远镜、水质检测包、自然笔记本"),
    "e2": (CAT.ECOLOGY, "垃圾分类与资源回收", 1, 6, 40, 45, IN, COURSE,
           "四分类知识与投放要求；分类游戏竞赛；废旧物品改造小制作；家庭分类打卡。",
           "分类垃圾桶模型、分类卡片"),
    "e3": (CAT.ECOLOGY, "校园植物认知", 1, 6, 60, 30, IN, COURSE,
           "认识校园常见树木花草；叶片拓印与植物标本制作；为校园植物制作“身份证”。",
           "放大镜、标本夹、植物图鉴"),
    "e4": (CAT.ECOLOGY, "水资源保护科普", 3, 9, 45, 60, IN, COURSE,
           "家乡河流与水循环；节水小实验；身边水污染调查；制作节水宣传海报。",
           "水循环模型、实验材料"),
    "e5": (CAT.ECOLOGY, "观鸟入门", 3, 9, 120, 30, VENUE_D, COURSE,
           "常见鸟类识别要点；望远镜使用方法；野外观鸟与记录；鸟类保护知识。",
           "双筒望远镜15副、鸟类图鉴"),
    # 影视
    "f1": (CAT.FILM, "优秀影片赏析", 1, 9, 90, 150, IN, COURSE,
           "观看中小学生推荐影片；导赏老师讲解主题与镜头语言；撰写观后感或绘制海报。",
           "投影设备、推荐片单"),
    "f2": (CAT.FILM, "微电影拍摄与剪辑", 5, 9, 90, 24, IN, COURSE,
           "剧本构思与分镜头脚本；手机拍摄构图与运镜；剪辑软件基础；完成校园微电影。",
           "稳定器、手机支架、剪辑电脑"),
    "f3": (CAT.FILM, "动画短片创作", 4, 9, 90, 24, IN, COURSE,
           "定格动画原理；角色与场景制作；逐帧拍摄与配音；合成一分钟动画短片。",
           "平板电脑、定格动画软件、黏土"),
    "f4": (CAT.FILM, "校园小主持人", 2, 6, 60, 25, IN, COURSE,
           "普通话与吐字归音训练；主持稿撰写；舞台仪态与临场应变；主持校园活动实践。",
           "话筒、录音设备"),
    # 卫生急救
    "fa1": (CAT.FIRST_AID, "心肺复苏与AED使用", 5, 9, 60, 40, IN, COURSE,
            "识别心脏骤停；胸外按压与人工呼吸要领；AED使用步骤；模拟人实操考核。",
            "心肺复苏模拟人6具、AED训练机2台"),
    "fa2": (CAT.FIRST_AID, "常见意外伤害处理", 3, 9, 45, 45, IN, COURSE,
            "擦伤、烫伤、流鼻血、扭伤的正确处理；气道异物梗阻海姆立克急救法。",
            "急救包、绷带、三角巾"),
    "fa3": (CAT.FIRST_AID, "健康卫生习惯养成", 1, 3, 40, 45, IN, COURSE,
            "七步洗手法；正确刷牙与口腔保健；咳嗽礼仪与传染病预防；健康饮食小知识。",
            "洗手演示荧光剂、牙齿模型"),
    "fa4": (CAT.FIRST_AID, "近视防控与用眼卫生", 1, 6, 40, 60, IN, COURSE,
            "认识眼睛结构；近视成因与预防；正确读写姿势；眼保健操纠错。",
            "眼球模型、视力表"),
    # 作业辅导
    "hw1": (CAT.HOMEWORK, "作业辅导与答疑", 1, 6, 60, 30, IN, COURSE,
            "在校内完成当日书面作业；个别答疑与错题订正指导；培养独立完成作业的习惯。",
            "错题记录本"),
    "hw2": (CAT.HOMEWORK, "学习习惯与时间管理", 3, 6, 45, 40, IN, COURSE,
            "制定课后时间计划表；专注力小游戏；整理书包和学习用品；习惯养成21天打卡。",
            "计划表、打卡卡片"),
    "hw3": (CAT.HOMEWORK, "初中作业答疑辅导", 7, 9, 60, 30, IN, COURSE,
            "晚托时段作业答疑；学习方法指导；错题整理，不讲授新课。",
            "错题本"),
    # 其他
    "o1": (CAT.OTHER, "围棋启蒙", 1, 6, 60, 30, IN, COURSE,
           "围棋规则与礼仪；吃子、做眼、死活基础；对弈练习；校内围棋段位赛。",
           "围棋15副、挂盘"),
    "o2": (CAT.OTHER, "国际象棋入门", 1, 6, 60, 30, IN, COURSE,
           "棋子走法与特殊规则；基本杀法；开局原则；班级国际象棋联赛。",
           "国际象棋15副、演示棋盘"),
    "o3": (CAT.OTHER, "魔方与思维训练", 2, 6, 45, 30, IN, COURSE,
           "三阶魔方层先法复原；空间想象与记忆训练；计时赛与创意魔方拼图。",
           "三阶魔方30个、计时器"),
    "o4": (CAT.OTHER, "职业体验日", 4, 9, 120, 60, VENUE_D, VENUE_R,
           "体验医生、消防员、法官、记者等职业角色；了解职业要求；完成职业规划小报。",
           "职业体验场景、工作服"),
    "o5": (CAT.OTHER, "博物馆里的家乡历史", 1, 9, 120, 60, VENUE_D, VENUE_R,
           "讲解员带领参观家乡历史展厅；文物小侦探任务；拓印与仿制文物体验。",
           "研学任务单、拓印材料"),
    # An academic-subject course: submitted by a training institution and refused.
    "ac1": (CAT.OTHER, "小学奥数思维拓展", 3, 6, 60, 30, IN, COURSE,
            "行程问题、鸡兔同笼、数论初步等专题讲练；每课配套练习。", "讲义"),
}

# --- providers --------------------------------------------------------------------------
INST, V, PRO, RT, VOL = (ProviderKind.INSTITUTION, ProviderKind.VENUE, ProviderKind.PROFESSIONAL,
                      ProviderKind.RETIRED_TEACHER, ProviderKind.VOLUNTEER)


def org(kind, name, reg, slug, towns, state, offers, desc, owner=None):
    """An institution or venue. ``reg``: first two characters of the credit code
    (52 private non-enterprise unit, 91 company, 12 public institution)."""
    return {"kind": kind, "name": name, "reg": reg, "slug": slug, "towns": towns.split(),
            "state": state, "offers": offers.split(), "desc": desc, "owner": owner}


def ind(kind, name, gender, born, role, subject, towns, state, offers, desc,
        cert=None, extra=()):
    """An individual: a professional, retired teacher or volunteer. ``cert`` names the
    provider-level qualification document (name, issuer)."""
    return {"kind": kind, "name": name, "gender": gender, "born": born, "role": role,
            "subject": subject, "towns": towns.split(), "state": state,
            "offers": offers.split(), "desc": desc, "cert": cert, "extra": extra,
            "owner": None}


PROVIDERS = [
    # ---- training institutions ----
    org(INST, "滨江区星火科技培训学校", "52", "xinghuo", "城关 文昌 望江", S.LISTED,
        "t1 t3 t5 s1",
        "专注青少年科技创新教育十余年，拥有编程、机器人和3D打印三条课程线。"
        "师资均具有理工科背景并持有相关技能证书，曾多次指导学生获省级科技竞赛奖项。",
        owner="vendor"),
    org(INST, "滨江区创客编程培训中心有限公司", "91", "chuangke", "城关 桃源", S.CHANGES_REQUESTED,
        "t2 t6 t7",
        "面向中小学生的创客与编程教育机构，课程以项目式学习为主，强调动手实践。",
        owner="vendor"),
    org(INST, "滨江区墨韵书画艺术培训学校", "52", "moyun", "文昌 城关 石桥", S.LISTED,
        "a1 a3 a4 a2",
        "由本地书画家创办的非学科类艺术培训学校，开设书法、国画、素描和水彩课程。"
        "多名教师为省书法家协会、美术家协会会员。"),
    org(INST, "滨江区启航体育培训有限公司", "91", "qihang", "江湾 新塘 滨海", S.LISTED,
        "p1 p2 p7",
        "专业青少年体育培训机构，教练团队由退役运动员和持证教练组成，"
        "长期承接区内多所学校的篮球、足球社团训练。"),
    org(INST, "滨江区乐韵音乐培训学校", "52", "leyun", "城关 望江", S.LISTED,
        "a5 a7",
        "提供声乐、合唱和器乐普及教育，曾协助多所小学组建校级合唱团。"),
    org(INST, "滨江区舞之韵舞蹈艺术培训学校", "52", "wuzhiyun", "望江 桃源 文昌", S.LISTED,
        "a6 a8",
        "以中国舞和民族民间舞为特色的舞蹈培训学校，教师均为舞蹈专业毕业并持有考级教师资格。"),
    org(INST, "滨江区棋乐智力运动培训中心", "52", "qile", "城关 江湾 石桥 桃源", S.LISTED,
        "o1 o2 o3",
        "围棋、国际象棋与魔方等智力运动普及机构，注重培养学生的专注力与规则意识。"),
    org(INST, "滨江区蓝天航模科技培训有限公司", "91", "lantian", "滨海 白沙", S.LISTED,
        "t4 t7",
        "从事航空模型与无人机科普教育，拥有专用训练场地和完善的飞行安全管理制度。"),
    org(INST, "滨江区安途应急安全培训中心", "52", "antu", "城关 江湾 新塘 临江", S.LISTED,
        "sa1 sa3 sa4 sa5",
        "专业应急安全教育机构，讲师团队包括退役消防员、急救培训师和安全工程师。"
        "年均为区内学校开展安全演练百余场。"),
    org(INST, "滨江区心航青少年心理服务中心", "52", "xinhang", "城关 文昌 望江", S.LISTED,
        "mh1 mh2 mh3 mh5",
        "由国家二级心理咨询师团队组成的社会服务机构，提供青少年团体心理辅导和家庭教育指导。"),
    org(INST, "滨江区绿野自然教育中心", "52", "lvye", "江湾 临江 青山", S.LISTED,
        "e2 e3 e5 e4",
        "致力于儿童自然教育与环境保护宣传，开展校园植物认知、观鸟和垃圾分类等课程。"),
    org(INST, "滨江区光影少儿影视艺术培训学校", "52", "guangying", "桃源 望江", S.CONTRACT,
        "f2 f3 f4",
        "开设微电影、动画和播音主持课程，引导学生用影像记录校园生活。"),
    org(INST, "滨江区书香阅读推广中心", "52", "shuxiang", "城关 文昌 梅林", S.LISTED,
        "r1 r2 r3 r6",
        "公益性阅读推广社会组织，长期开展校园共读、经典诵读和作家进校园活动。"),
    org(INST, "滨江区飞跃跆拳道培训有限公司", "91", "feiyue", "新塘 白沙", S.EXITED,
        "p4 p8",
        "跆拳道与武术培训机构。"),
    org(INST, "滨江区智造机器人培训学校", "52", "zhizao", "石桥 桃源", S.DRAFT,
        "t3 t1 t6",
        "机器人教育与人工智能启蒙培训学校，课程对接青少年机器人技术等级考试标准。",
        owner="vendor"),
    org(INST, "滨江区生命守护急救培训中心", "52", "shouhu", "城关 江湾 滨海",
        S.QUALIFICATION_REVIEW, "fa1 fa2 fa3",
        "由红十字救护培训师资创办，普及心肺复苏、AED使用和常见意外伤害处理知识。"),
    org(INST, "滨江区巧手陶艺工作室有限公司", "91", "qiaoshou", "梅林 青山", S.BACKGROUND_CHECK,
        "a9 l4 h5",
        "陶艺、木工与传统手工艺体验工作室，可携带电窑和工具进校园开展教学。"),
    org(INST, "滨江区学优教育培训有限公司", "91", "xueyou", "城关", S.REJECTED,
        "ac1 r5",
        "提供思维拓展与阅读课程的培训机构。"),
    org(INST, "滨江区童心美食劳动教育中心", "52", "tongxin", "白沙 梅林 新塘", S.SUBMITTED,
        "l3 l6",
        "以厨艺和生活技能为主题的劳动教育机构，配备移动式教学厨房。"),
    org(INST, "滨江区优游游泳培训有限公司", "91", "youyou", "滨海 江湾", S.SUSPENDED,
        "p5 sa3",
        "拥有标准室内恒温泳池的游泳培训机构，开展少儿游泳技能普及和防溺水教育。"),
    # ---- venues and practice bases ----
    org(V, "滨江区青少年宫", "12", "qsng", "城关 文昌 望江 石桥", S.LISTED,
        "a5 a6 p3 o1",
        "区属公益性校外教育场所，设有舞蹈房、琴房、乒乓球馆和科技活动室，"
        "可承接学校集体活动，也可派出教师进校园。"),
    org(V, "滨江区科技馆", "12", "kjg", "城关 江湾 滨海 文昌", S.LISTED,
        "s4 s2 s5",
        "区级科普教育基地，常设展厅面积六千平方米，设有天文台和青少年创新实验室，"
        "面向中小学生免费开放研学。"),
    org(V, "滨江区图书馆", "12", "tsg", "城关 文昌 桃源", S.LISTED,
        "r4 r2 r6",
        "区级公共图书馆，设少儿阅览区和阅读推广中心，常年开展“小馆员”体验和阅读活动。"),
    org(V, "江湾湿地自然教育基地", "12", "jwsd", "江湾 临江", S.LISTED,
        "e1 e5 e4",
        "依托江湾湿地公园建设的市级自然教育基地，有专职自然讲解员和完善的研学步道。"),
    org(V, "白沙农耕文化劳动实践基地", "91", "baisha", "白沙 新塘 梅林", S.LISTED,
        "l1 l2",
        "占地一百二十亩的中小学生劳动实践基地，设有农耕体验田、果蔬大棚和农具展示馆。"),
    org(V, "滨江区消防科普教育基地", "12", "xfjd", "城关 望江 石桥 滨海", S.LISTED,
        "sa2 sa1",
        "依托区消防救援大队建设的消防科普教育基地，设有烟雾逃生、灭火体验等互动项目。"),
    org(V, "滨江区博物馆", "12", "bwg", "城关 文昌", S.LISTED,
        "o5 m1",
        "收藏本地出土文物和民俗藏品，开设面向中小学生的研学课程和“小小讲解员”活动。"),
    org(V, "梅林茶文化研学基地", "91", "meilin", "梅林 青山", S.LISTED,
        "l5 l3",
        "以茶园为依托的劳动与传统文化研学基地，可同时接待两个班级开展采茶制茶体验。"),
    org(V, "滨江区体育中心", "12", "tyzx", "城关 江湾 滨海 望江", S.LISTED,
        "p5 p1 p7",
        "区属综合性体育场馆，拥有游泳馆、篮球馆和田径场，为学校提供场地和专业教练支持。"),
    org(V, "临江非遗文化传习馆", "52", "ljfy", "临江 青山 江湾", S.LISTED,
        "h6 h1 h3 h7",
        "集非遗展示、传承和体验于一体的传习场所，汇集剪纸、木偶戏、皮影戏等多位传承人。"),
    org(V, "滨江星光影城有限公司", "91", "xingguang", "城关 望江 桃源", S.LISTED,
        "f1 f3",
        "区内主要影院之一，与区教育局合作开展“优秀影片进校园”活动，可提供专场观影和影视课堂。"),
    org(V, "滨江区青少年法治教育基地", "12", "fzjd", "城关 文昌 石桥", S.CONTRACT,
        "m4 sa5 m1",
        "由区司法局和区法院共建的青少年法治教育基地，设有模拟法庭和法治展厅。"),
    org(V, "滨江区青少年职业体验馆", "52", "zytyg", "桃源 石桥", S.SUBMITTED,
        "o4 l4",
        "提供二十余种职业场景体验的综合实践场馆，帮助学生了解社会分工、树立职业理想。"),
    # ---- individual professionals ----
    ind(PRO, "陈国强", "M", 1982, "篮球教练", "篮球", "城关 文昌 江湾", S.LISTED, "p1 p7",
        "国家二级篮球运动员，持篮球二级教练员证书，从事青少年篮球训练十二年，"
        "带队多次获得区中小学生篮球联赛冠军。",
        cert=("国家二级运动员证书", "浙江省体育局"), extra=(C.COACH_LICENCE,)),
    ind(PRO, "刘晓燕", "F", 1988, "游泳教练", "游泳", "滨海 江湾", S.LISTED, "p5 sa3",
        "国家职业资格游泳救生员和游泳社会体育指导员，擅长少儿零基础游泳教学和防溺水教育。",
        cert=("游泳社会体育指导员证书", "浙江省体育局"), extra=(C.COACH_LICENCE,)),
    ind(PRO, "赵文斌", "M", 1985, "足球教练", "足球", "新塘 白沙", S.SUSPENDED, "p2 p6",
        "中国足协D级教练员，曾任职业俱乐部青训教练，现从事校园足球普及训练。",
        cert=("中国足协D级教练员证书", "中国足球协会"), extra=(C.COACH_LICENCE,)),
    ind(PRO, "林雅琴", "F", 1979, "美术教师", "国画与水彩", "城关 望江", S.LISTED, "a1 a2",
        "浙江省美术家协会会员，水彩画作品多次入选省级美展，长期从事少儿美术普及教育。",
        cert=("浙江省美术家协会会员证", "浙江省美术家协会")),
    ind(PRO, "周墨华", "M", 1968, "书法教师", "书法", "文昌 石桥", S.LISTED, "a3 a4",
        "中国书法家协会会员，从事书法教育三十年，倡导“写好规范字、做好中国人”。",
        cert=("中国书法家协会会员证", "中国书法家协会")),
    ind(PRO, "孙丽华", "F", 1966, "剪纸非遗传承人", "剪纸", "江湾 临江 青山", S.LISTED,
        "h1 h5",
        "市级非物质文化遗产项目“滨江剪纸”代表性传承人，作品被多家博物馆收藏，"
        "坚持非遗进校园十余年。",
        cert=("工艺美术师证书", "杭州市人力资源和社会保障局"), extra=(C.HERITAGE_INHERITOR,)),
    ind(PRO, "吴德福", "M", 1958, "竹编非遗传承人", "竹编", "梅林 青山", S.LISTED, "h2 l4",
        "省级非物质文化遗产项目“竹编技艺”代表性传承人，从艺五十年，擅长竹编器物和竹编画。",
        cert=("工艺美术大师证书", "浙江省经济和信息化厅"), extra=(C.HERITAGE_INHERITOR,)),
    ind(PRO, "黄秀英", "F", 1963, "越剧非遗传承人", "越剧", "城关 临江", S.LISTED, "h4 a8",
        "越剧表演艺术家，区级非遗项目“越剧”代表性传承人，退休后致力于戏曲进校园。",
        cert=("国家二级演员职称证书", "浙江省文化和旅游厅"), extra=(C.HERITAGE_INHERITOR,)),
    ind(PRO, "郑天明", "M", 1971, "木偶戏非遗传承人", "木偶戏", "临江 江湾 白沙", S.LISTED,
        "h3 h7",
        "杖头木偶戏第四代传人，区级非遗代表性传承人，编创多部适合儿童观看的木偶小戏。",
        cert=("木偶戏表演技艺证书", "杭州市文化广电旅游局"), extra=(C.HERITAGE_INHERITOR,)),
    ind(PRO, "何志远", "M", 1975, "科普讲师", "天文", "城关 滨海 文昌", S.LISTED, "s2 s5",
        "中国天文学会会员、市级优秀科普讲师，自建家庭天文台，每年开展星空科普活动五十余场。",
        cert=("科普讲师资格证书", "杭州市科学技术协会")),
    ind(PRO, "马晓东", "M", 1980, "科普作家", "昆虫学", "江湾 青山 梅林", S.LISTED, "s3 e3",
        "昆虫学硕士、科普作家，出版少儿科普读物三部，擅长带领孩子在校园里发现自然。",
        cert=("科普作家协会会员证", "浙江省科普作家协会")),
    ind(PRO, "徐静", "F", 1984, "心理咨询师", "心理健康", "城关 望江 桃源", S.LISTED,
        "mh1 mh3 mh4",
        "国家二级心理咨询师、沙盘游戏治疗师，专注儿童青少年情绪与人际关系辅导。",
        cert=("二级心理咨询师职业资格证书", "人力资源和社会保障部")),
    ind(PRO, "高建平", "M", 1977, "急救培训师", "应急救护", "城关 江湾 新塘", S.LISTED,
        "fa1 fa2",
        "红十字会应急救护培训师资，急诊科护师出身，累计培训学生和教师逾万人次。",
        cert=("红十字救护师资证书", "浙江省红十字会")),
    ind(PRO, "罗佳", "F", 1990, "舞蹈编导", "舞蹈", "望江 文昌", S.LISTED, "a6 a5",
        "舞蹈编导专业毕业，中国舞蹈家协会考级教师，作品曾获省少儿舞蹈大赛金奖。",
        cert=("中国舞蹈家协会考级教师资格证", "中国舞蹈家协会")),
    ind(PRO, "梁思远", "M", 1986, "纪录片导演", "影视创作", "桃源 城关", S.CHANGES_REQUESTED,
        "f2 f1",
        "独立纪录片导演，作品入围多个国内纪录片节，希望带领学生用镜头讲述校园故事。",
        cert=("广播电视编导职称证书", "浙江省广播电视局")),
    ind(PRO, "宋雨桐", "F", 1992, "动画设计师", "动画设计", "桃源 石桥", S.DRAFT, "f3 a2",
        "动画专业毕业，从事儿童动画设计工作八年，擅长定格动画与黏土动画创作。",
        cert=("数字媒体设计师证书", "工业和信息化部教育与考试中心")),
    ind(PRO, "唐晓峰", "M", 1983, "乒乓球教练", "乒乓球", "城关 石桥 文昌", S.QUALIFICATION_REVIEW,
        "p3",
        "前省队乒乓球运动员，国家一级运动员，持乒乓球教练员证书。",
        cert=("国家一级运动员证书", "国家体育总局"), extra=(C.COACH_LICENCE,)),
    ind(PRO, "韩冬梅", "F", 1981, "武术教练", "武术", "新塘 白沙 梅林", S.BACKGROUND_CHECK,
        "p8 p4",
        "武术六段，国家级社会体育指导员，长期开展武术进校园和传统武术普及。",
        cert=("武术段位证书", "中国武术协会"), extra=(C.COACH_LICENCE,)),
    # ---- retired teachers ----
    ind(RT, "王建国", "M", 1961, "退休教师", "语文", "城关 文昌", S.LISTED, "hw1 r3 r2",
        "从教三十八年的小学高级教师，曾任实验小学语文教研组长，退休后希望就近为孩子们"
        "提供作业辅导和经典诵读指导。"),
    ind(RT, "李淑芬", "F", 1964, "退休教师", "数学", "江湾 滨海", S.LISTED, "hw1 hw2",
        "小学数学高级教师，耐心细致，擅长帮助孩子养成良好的学习习惯。"),
    ind(RT, "张志刚", "M", 1960, "退休教师", "物理", "文昌 石桥", S.LISTED, "s1 hw3",
        "中学物理高级教师，区科技辅导员，退休后热心青少年科普和动手实验活动。"),
    ind(RT, "刘桂兰", "F", 1962, "退休教师", "音乐", "望江 城关", S.LISTED, "a5",
        "小学音乐高级教师，曾指导校合唱团获市中小学生艺术节一等奖。"),
    ind(RT, "陈永明", "M", 1959, "退休教师", "美术", "梅林 青山", S.LISTED, "a1 a9",
        "中学美术高级教师，擅长素描和陶艺，退休后在镇文化站义务开设美术兴趣班。"),
    ind(RT, "杨秀珍", "F", 1963, "退休教师", "英语", "桃源 文昌", S.LISTED, "hw3 r5",
        "初中英语高级教师，热爱阅读推广，愿为初中学生提供晚托答疑和读书会指导。"),
    ind(RT, "黄德华", "M", 1958, "退休教师", "体育", "新塘 白沙", S.LISTED, "p3 p6",
        "小学体育高级教师，国家二级裁判员，擅长乒乓球和跳绳教学。"),
    ind(RT, "赵玉梅", "F", 1965, "退休教师", "科学", "临江 江湾", S.LISTED, "s1 e3",
        "小学科学高级教师，区优秀科技辅导员，带领学生开展校园植物和气象观察多年。"),
    ind(RT, "周学文", "M", 1957, "退休教师", "历史", "城关 石桥", S.LISTED, "m1 r5",
        "中学历史高级教师，熟悉本地革命历史和地方文化，善于讲故事。"),
    ind(RT, "吴慧敏", "F", 1966, "退休教师", "道德与法治", "望江 滨海", S.LISTED, "m2 m5",
        "小学道德与法治高级教师，曾获区德育先进工作者称号。"),
    ind(RT, "徐国栋", "M", 1959, "退休教师", "化学", "白沙 新塘", S.LISTED, "s6 fa3",
        "中学化学高级教师，善于用生活中的小实验激发学生的科学兴趣。"),
    ind(RT, "孙凤英", "F", 1964, "退休教师", "语文", "青山 梅林", S.SUBMITTED, "r1 hw2",
        "乡镇小学语文教师，从教三十五年，退休后愿意就近为留守儿童提供阅读陪伴。"),
    ind(RT, "胡振华", "M", 1962, "退休教师", "信息技术", "桃源 石桥", S.QUALIFICATION_REVIEW,
        "t1",
        "中学信息技术高级教师，曾指导学生获全国青少年信息学竞赛奖项。"),
    ind(RT, "朱丽萍", "F", 1966, "退休教师", "生物", "江湾 临江", S.BACKGROUND_CHECK, "e3 e4",
        "中学生物高级教师，热爱自然教育，退休后参与湿地保护志愿服务。"),
    # ---- volunteers ----
    ind(VOL, "郭晓明", "M", 1976, "安全教育志愿者", "消防安全", "城关 望江", S.LISTED,
        "sa1 sa4",
        "退役消防员，现任社区微型消防站站长，坚持每月进校园开展消防安全宣讲。"),
    ind(VOL, "何丽", "F", 1983, "健康教育志愿者", "卫生保健", "江湾 临江", S.LISTED,
        "fa3 fa4",
        "社区卫生服务中心全科医生，利用业余时间为学生开展健康卫生和近视防控讲座。"),
    ind(VOL, "马志强", "M", 1960, "法治教育志愿者", "法律", "城关 文昌 石桥", S.LISTED, "m4",
        "退休法官，区关工委“五老”宣讲团成员，长期担任多所学校的法治副校长。"),
    ind(VOL, "林小雨", "F", 2004, "大学生志愿者", "师范（小学教育）", "文昌 城关", S.LISTED,
        "r1 hw1",
        "师范大学小学教育专业在读学生，参加“青春护苗”志愿服务项目。"),
    ind(VOL, "冯海波", "M", 1969, "德育志愿者", "国防教育", "新塘 白沙 梅林", S.LISTED, "m3 m1",
        "退役军人、老党员，曾在部队服役十六年，热心国旗护卫队训练和红色教育。"),
    ind(VOL, "邓佳怡", "F", 1995, "环保志愿者", "环境保护", "滨海 望江", S.LISTED, "e2",
        "环保公益组织骨干志愿者，参与策划全区垃圾分类进校园活动。"),
    ind(VOL, "曹文军", "M", 1979, "交通安全志愿者", "交通安全", "城关 江湾 滨海",
        S.CONTRACT, "sa4",
        "交警大队民警，利用休息时间参与“交通安全进校园”志愿宣讲。"),
    ind(VOL, "彭雪", "F", 1999, "心理健康志愿者", "心理学", "桃源 望江",
        S.CHANGES_REQUESTED, "mh1",
        "应用心理学硕士研究生，在导师督导下开展儿童情绪教育志愿服务。"),
]

KIND_ZH = {INST: "校外培训机构", V: "校外活动场所", PRO: "社会专业人员", RT: "退休教师",
           VOL: "志愿者"}
CATEGORY_ZH = {
    CAT.MORAL: "德育", CAT.READING: "阅读", CAT.TECHNOLOGY: "科技", CAT.SCIENCE: "科普",
    CAT.SPORTS: "体育", CAT.ARTS: "艺术", CAT.LABOUR: "劳动", CAT.SAFETY: "安全实训",
    CAT.MENTAL_HEALTH: "心理健康", CAT.HERITAGE: "非遗", CAT.ECOLOGY: "生态教育",
    CAT.FILM: "影视", CAT.FIRST_AID: "卫生急救", CAT.HOMEWORK: "作业辅导", CAT.OTHER: "其他",
}
STAFF_ROLES = {
    INST: ["课程讲师", "主讲教师", "教练", "助教", "项目主管", "安全员"],
    V: ["研学导师", "讲解员", "活动策划", "安全员", "科学辅导员"],
}

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
                "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹")
GIVEN_M = ["伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "浩", "鹏", "俊杰", "志强", "建华",
           "海峰", "晓东", "文涛", "子豪", "宇航", "明辉", "振宇", "国华", "立新", "永刚", "嘉豪"]
GIVEN_F = ["静", "丽", "敏", "燕", "娟", "婷", "雪", "慧", "颖", "琳", "晓红", "丽娟", "雅婷",
           "欣怡", "思琪", "秀兰", "红梅", "佳慧", "梦瑶", "雨欣", "淑华", "美玲", "晓雯", "春燕"]
MOBILE_PREFIXES = ["133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158",
                   "159", "180", "182", "183", "187", "188", "189", "177", "199"]
ID_REGIONS = ["330108", "330108", "330108", "330102", "330105", "330106", "330109", "330110",
              "330182", "330621", "340104", "320106", "362502", "410105"]

# --- bookings ---------------------------------------------------------------------------
T_PREV2 = "2025—2026学年第二学期"
T_CUR = "2026—2027学年第一学期"
T_NEXT = "2026—2027学年第二学期"
TERMS = [
    ("2025—2026学年第一学期", dt.date(2025, 9, 1), dt.date(2026, 1, 20)),
    (T_PREV2, dt.date(2026, 2, 23), dt.date(2026, 7, 3)),
    (T_CUR, dt.date(2026, 9, 1), dt.date(2027, 1, 20)),
    (T_NEXT, dt.date(2027, 2, 22), dt.date(2027, 7, 2)),
]
B = BookingState
# (school, provider, offering key, term, state, grades, students, place,
#  [(weekday, start, end)], lessons for schedule entries)
BOOKINGS = [
    ("滨江区实验小学", "陈国强", "p1", T_PREV2, B.COMPLETED, (4, 6), 30, "学校室内篮球馆",
     [(2, "15:50", "17:20")], []),
    ("滨江区城关中学", "滨江区星火科技培训学校", "t3", T_PREV2, B.COMPLETED, (7, 8), 24,
     "创客实验室", [(4, "16:40", "18:10")], []),
    ("滨江区江湾镇中心小学", "孙丽华", "h1", T_PREV2, B.COMPLETED, (3, 5), 25, "美术教室",
     [(3, "15:40", "16:40")], []),
    ("滨江区新塘镇九年一贯制学校", "滨江区飞跃跆拳道培训有限公司", "p4", T_PREV2,
     B.COMPLETED, (2, 4), 28, "学校体育馆", [(5, "15:30", "16:30")], []),
    ("滨江区实验小学", "滨江区星火科技培训学校", "t1", T_CUR, B.ACTIVE, (3, 4), 30,
     "三楼计算机教室", [(1, "15:40", "16:40"), (4, "15:40", "16:40")],
     ["认识Scratch与第一个角色", "让角色动起来", "重复执行与循环", "制作接苹果小游戏"]),
    ("滨江区实验小学", "滨江区安途应急安全培训中心", "sa1", T_CUR, B.AGREED, (1, 6), 180,
     "学校操场", [(5, "15:30", "16:30")], []),
    ("滨江区城关中学", "滨江区心航青少年心理服务中心", "mh2", T_CUR, B.ACTIVE, (7, 8), 30,
     "心理辅导室", [(3, "16:30", "17:30")],
     ["认识青春期的我", "与父母好好说话", "同伴关系小剧场", "给压力找个出口"]),
    ("滨江区城关中学", "陈国强", "p1", T_CUR, B.REQUESTED, (7, 9), 30, "学校室内篮球馆",
     [(2, "17:00", "18:30")], []),
    ("滨江区江湾镇中心小学", "滨江区墨韵书画艺术培训学校", "a3", T_CUR, B.ACTIVE, (3, 6), 25,
     "书法教室", [(2, "15:40", "16:40")],
     ["执笔与坐姿", "横画与竖画", "点画与撇捺", "“永”字八法"]),
    ("滨江区江湾镇中心小学", "滨江区科技馆", "s4", T_CUR, B.ACCEPTED, (4, 6), 55,
     "滨江区科技馆", [(5, "13:30", "16:00")], []),
    ("滨江区江湾镇中心小学", "滨江区星火科技培训学校", "s1", T_CUR, B.REQUESTED, (1, 3), 30,
     "科学教室", [(3, "15:40", "16:40")], []),
    ("滨江区新塘镇九年一贯制学校", "王建国", "hw1", T_CUR, B.ACTIVE, (1, 3), 30,
     "一年级（2）班教室", [(1, "16:00", "17:00"), (3, "16:00", "17:00")],
     ["语文作业辅导与订正", "数学口算与作业检查", "看图写话指导", "错题整理与习惯养成"]),
    ("滨江区新塘镇九年一贯制学校", "滨江区启航体育培训有限公司", "p2", T_CUR, B.DECLINED,
     (1, 6), 30, "学校足球场", [(4, "15:30", "16:30")], []),
    ("滨江区实验小学", "滨江区乐韵音乐培训学校", "a5", T_CUR, B.CANCELLED, (2, 6), 45,
     "音乐教室", [(2, "15:40", "16:40")], []),
    ("滨江区城关中学", "滨江星光影城有限公司", "f1", T_NEXT, B.REQUESTED, (7, 9), 120,
     "学校报告厅", [(5, "16:30", "18:00")], []),
]
SERVICE_CONTRACT_STATES = {B.AGREED, B.ACTIVE, B.COMPLETED}

# Survey answers and school ratings for the completed bookings of last term.
SURVEY_COMMENTS = {
    "good": [
        ("parent", 5, "孩子每次课后回家都很兴奋，希望下学期继续开设。"),
        ("parent", 4, "老师很负责，建议适当增加展示机会。"),
        ("student", 5, "我最喜欢这门课，学到了很多新本领！"),
        ("student", 4, "很有意思，就是时间有点短。"),
    ],
    "poor": [
        ("parent", 2, "课上经常让孩子带宣传单回家，推销机构的收费课程。"),
        ("parent", 2, "教练多次更换，课程内容和介绍的不一样。"),
        ("student", 3, "训练还可以，但是老是让我们去机构报名。"),
        ("student", 2, "上课时间经常推迟。"),
    ],
}


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def _town_name(short: str) -> str:
    return next(t for t in TOWNS if t.startswith(short))


# --- files ------------------------------------------------------------------------------
def demo_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ASCII text: small, valid, and made without any PDF library."""

    def escape(text: str) -> str:
        text = text.encode("ascii", "replace").decode("ascii")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 13 Tf", "36 250 Td", "18 TL"]
    ops += [f"({escape(line)}) Tj T*" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 297] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def demo_png(lines: list[str], hue: int) -> bytes:
    """A small PNG 'scan' drawn with Pillow."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 220), (250, 250, 246))
    draw = ImageDraw.Draw(image)
    colour = ((hue * 53) % 200, (hue * 97) % 160 + 40, (hue * 31) % 200 + 40)
    draw.rectangle([6, 6, 353, 213], outline=colour, width=4)
    draw.rectangle([270, 120, 340, 200], outline=(200, 30, 30), width=3)
    for row, line in enumerate(lines):
        draw.text((22, 24 + row * 22), line.encode("ascii", "replace").decode(), fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Seed a realistic demo district (idempotent): providers, schools, bookings, logins."

    def handle(self, *args, **options):
        started = time.monotonic()
        self.rng = random.Random(2026)
        self.created = Counter()
        self.today = timezone.localdate()
        self.used_ids: set[str] = set()
        self.used_codes: set[str] = set()
        self.file_seq = 0
        with transaction.atomic():
            self.seed_accounts()
            self.seed_towns_and_schools()
            self.seed_terms()
            self.seed_providers()
            self.seed_bookings()
            self.seed_exit_cases_and_notices()
        self.report(time.monotonic() - started)

    # --- helpers ------------------------------------------------------------------------
    def upsert(self, model, lookup: dict, defaults: dict | None = None, files: dict | None = None):
        """Find by natural key, set ``defaults``, save. Files are written only when the
        row has none yet, so re-runs do not pile up copies."""
        defaults = dict(defaults or {})
        state = defaults.pop("state", None)  # state fields are protected: set on creation
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        if created:
            obj = model(**lookup, **({"state": state} if state else {}))
        for name, value in defaults.items():
            setattr(obj, name, value)
        for name, (filename, make) in (files or {}).items():
            if not getattr(obj, name):
                data = make()
                getattr(obj, name).save(filename, ContentFile(data), save=False)
                digest_field = {"file": "sha256", "pdf": "pdf_sha256"}.get(name)
                if digest_field and hasattr(obj, digest_field):
                    setattr(obj, digest_field, sha256_of(io.BytesIO(data)))
                if hasattr(obj, "original_filename"):
                    obj.original_filename = filename
        obj.save()
        if state and obj.state != state:
            model.objects.filter(pk=obj.pk).update(state=state)
            obj.refresh_from_db()
        if created:
            self.created[model.__name__] += 1
        return obj

    def pick(self, seq):
        return self.rng.choice(seq)

    def person_name(self, gender: str) -> str:
        given = self.pick(GIVEN_M if gender == "M" else GIVEN_F)
        return self.pick(SURNAMES) + given

    def mobile(self) -> str:
        return self.pick(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"0571-{self.rng.randrange(8600_0000, 8899_9999)}"

    def address(self, town: str) -> str:
        return f"{DISTRICT}{town}{self.pick(ROADS)}{self.rng.randint(1, 399)}号"

    def id_number(self, gender: str, born_year: int) -> str:
        while True:
            region = self.pick(ID_REGIONS)
            born = dt.date(born_year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))
            order = self.rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{region}{born:%Y%m%d}{order:03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def credit_code(self, reg: str) -> str:
        """A unified social credit code: registration authority and type, the district's
        division code, a 9-character organisation code (GB 11714 check digit) and the
        GB 32100 check character."""
        while True:
            body = f"{self.rng.randrange(10**8):08d}"
            weights = (3, 7, 9, 10, 5, 8, 4, 2)
            check = 11 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
            org_code = body + {10: "X", 11: "0"}.get(check, str(check))
            first17 = f"{reg}{DISTRICT_CODE}{org_code}"
            code = first17 + uscc_check_char(first17)
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def aware(self, day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def pdf_maker(self, *lines: str):
        self.file_seq += 1
        seq = self.file_seq
        return lambda: demo_pdf(["DEMO DOCUMENT - NOT A REAL CERTIFICATE", *lines,
                                 f"Sample no. {seq:05d}"])

    def png_maker(self, *lines: str):
        self.file_seq += 1
        seq = self.file_seq
        return lambda: demo_png(["DEMO SCAN - NOT A REAL CERTIFICATE", *lines,
                                 f"Sample no. {seq:05d}"], seq)

    # --- accounts -----------------------------------------------------------------------
    ACCOUNTS = [
        # username, role, display name, phone
        ("vendor", Role.VENDOR, "王海峰", "13857112086"),
        ("school", Role.SCHOOL, "刘红梅", "13958036721"),
        ("reviewer", Role.REVIEWER, "李文静", "13605718842"),
        ("checker", Role.CHECK_OFFICER, "周海涛", "13735869023"),
        ("manager", Role.MANAGER, "张卫东", "13906521178"),
        ("editor", Role.EDITOR, "陈晓雯", "15858163390"),
        ("school2", Role.SCHOOL, "黄丽娟", "15167128843"),
        ("school3", Role.SCHOOL, "郑立新", "18768145527"),
    ]

    def seed_accounts(self):
        User = get_user_model()
        self.users = {}
        demo_hash = None
        for username, role, name, phone in self.ACCOUNTS:
            user = self.upsert(User, {"username": username}, {
                "email": f"{username}@{EMAIL_DOMAIN}", "first_name": name, "last_name": "",
                "phone": phone, "is_active": True, "is_staff": False, "is_superuser": False,
            })
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            demo_hash = user.password
            user.groups.add(Group.objects.get(name=role.value))
            self.users[username] = user
        admin = self.upsert(User, {"username": "admin"}, {
            "email": f"admin@{EMAIL_DOMAIN}", "first_name": "系统管理员", "last_name": "",
            "is_active": True, "is_staff": True, "is_superuser": True,
        })
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
        self.users["admin"] = admin
        self.demo_hash = demo_hash

    def vendor_account(self, username: str, name: str, phone: str):
        """An account for a provider's owner. Shares the demo password's hash: hashing
        once keeps the command fast."""
        User = get_user_model()
        user = self.upsert(User, {"username": username}, {
            "email": f"{username}@{EMAIL_DOMAIN}", "first_name": name, "last_name": "",
            "phone": phone, "is_active": True, "password": self.demo_hash,
        })
        user.groups.add(Group.objects.get(name=Role.VENDOR.value))
        return user

    # --- places and time ----------------------------------------------------------------
    def seed_towns_and_schools(self):
        self.towns = {
            name: self.upsert(Town, {"district": DISTRICT, "name": name}) for name in TOWNS
        }
        self.schools = {}
        for name, town, level in SCHOOLS:
            self.schools[name] = self.upsert(School, {"name": name}, {
                "town": self.towns[town], "level": level, "address": self.address(town),
                "phone": self.landline(),
            })
        coordinators = {
            "school": ["滨江区实验小学", "滨江区城关中学"],
            "school2": ["滨江区江湾镇中心小学"],
            "school3": ["滨江区新塘镇九年一贯制学校"],
        }
        for username, names in coordinators.items():
            for name in names:
                self.schools[name].coordinators.add(self.users[username])

    def seed_terms(self):
        self.terms = {
            name: self.upsert(Term, {"name": name}, {"starts_on": start, "ends_on": end})
            for name, start, end in TERMS
        }

    # --- providers ----------------------------------------------------------------------
    LISTING_BATCHES = [dt.date(2025, 3, 18), dt.date(2025, 8, 26), dt.date(2026, 3, 17),
                       dt.date(2026, 8, 25)]

    def seed_providers(self):
        self.providers = {}
        self.people = {}
        self.offerings = {}
        reviewer, checker = self.users["reviewer"], self.users["checker"]
        self.check_seq = 0
        flagged_done = False
        for index, spec in enumerate(PROVIDERS, start=1):
            kind, state = spec["kind"], spec["state"]
            organisation = kind in ProviderKind.organisations()
            home = _town_name(spec["towns"][0])
            # Draw every random value first, in a fixed order.
            if organisation:
                gender = self.pick("MF")
                contact = self.person_name(gender)
                legal_rep = self.person_name(self.pick("MF"))
                credit_code = self.credit_code(spec["reg"])
                email = f"info@{spec['slug']}.example.cn"
            else:
                contact, legal_rep, credit_code = spec["name"], "", ""
            phone = self.mobile()
            if not organisation:
                email = f"{phone}@mail.example.cn"
            address = self.address(home)
            if organisation:
                address += f"{self.rng.randint(1, 6)}楼"
            reached = state not in {S.DRAFT, S.SUBMITTED, S.QUALIFICATION_REVIEW,
                                    S.CHANGES_REQUESTED, S.REJECTED}
            was_listed = state in {S.LISTED, S.SUSPENDED, S.EXITED}
            listed_on = self.pick(self.LISTING_BATCHES) if was_listed else None
            if state == S.EXITED:
                listed_on = self.LISTING_BATCHES[0]

            owner_name = spec["owner"] or f"v{index:03d}"
            owner = (self.users["vendor"] if spec["owner"] == "vendor"
                     else self.vendor_account(owner_name, contact, phone))
            provider = self.upsert(
                Provider,
                {"name": spec["name"]},
                {
                    "kind": kind, "credit_code": credit_code, "legal_representative": legal_rep,
                    "contact_name": contact, "contact_phone": phone, "contact_email": email,
                    "address": address, "description": spec["desc"], "owner": owner,
                    "state": state, "listed_on": listed_on,
                    "qualification_reviewer": self.users["reviewer"] if reached else None,
                },
            )
            provider.service_area.set([self.towns[_town_name(t)] for t in spec["towns"]])
            self.providers[spec["name"]] = provider
            self.seed_history(provider, state, listed_on)

            people = self.seed_people(provider, spec, organisation, phone)
            self.people[spec["name"]] = people
            self.seed_provider_credentials(provider, spec, state, reviewer)
            for person in people:
                self.seed_person_credentials(provider, person, spec, state, reviewer)
            if reached:
                for position, person in enumerate(people):
                    flag = (state == S.BACKGROUND_CHECK and organisation and position == 1
                            and not flagged_done)
                    flagged_done = flagged_done or flag
                    pending = state == S.BACKGROUND_CHECK and not flag and position > 0
                    if state == S.BACKGROUND_CHECK and not organisation:
                        pending = True
                    self.seed_check(person, checker, flagged=flag, pending=pending)
            self.seed_offerings(provider, spec, state, reviewer)
            if state in {S.CONTRACT, S.LISTED, S.SUSPENDED, S.EXITED}:
                self.seed_admission_contract(provider, state, listed_on, people)

    def seed_people(self, provider, spec, organisation, phone):
        kind = spec["kind"]
        people = []
        if organisation:
            count = self.rng.randint(2, 4) if kind == INST else self.rng.randint(1, 3)
            first_category = TEMPLATES[spec["offers"][0]][0]
            for _ in range(count):
                gender = self.pick("MF")
                name = self.person_name(gender)
                id_number = self.id_number(gender, self.rng.randint(1976, 2001))
                person = self.upsert(
                    Person,
                    {"provider": provider, "id_number_digest": id_number_digest(id_number)},
                    {"full_name": name, "id_number": id_number, "phone": self.mobile(),
                     "role_title": self.pick(STAFF_ROLES[kind]),
                     "subject": CATEGORY_ZH[first_category], "is_principal": False,
                     "barred": False},
                )
                people.append(person)
        else:
            id_number = self.id_number(spec["gender"], spec["born"])
            person = self.upsert(
                Person,
                {"provider": provider, "id_number_digest": id_number_digest(id_number)},
                {"full_name": spec["name"], "id_number": id_number, "phone": phone,
                 "role_title": spec["role"], "subject": spec["subject"], "is_principal": True,
                 "barred": False},
            )
            people.append(person)
        return people

    # --- credentials ----------------------------------------------------------------------
    def verification_for(self, state, position: int, total: int):
        """Review outcome of the n-th document of a provider in ``state``:
        (verification, note)."""
        if state in {S.DRAFT, S.SUBMITTED}:
            return VerificationState.PENDING, ""
        if state == S.QUALIFICATION_REVIEW:
            return (VerificationState.VERIFIED, "") if position < total // 2 else (
                VerificationState.PENDING, "")
        if state == S.CHANGES_REQUESTED and position == 0:
            return VerificationState.REFUSED, (
                "扫描件不清晰，证书编号无法辨认，请上传原件彩色扫描件。")
        if state == S.REJECTED and position == 1:
            return VerificationState.REFUSED, (
                "办学许可证核准的办学内容含学科类培训，不符合遴选条件。")
        return VerificationState.VERIFIED, ""

    def review_time(self, provider, issued_on: dt.date) -> dt.datetime:
        """Reviewed shortly before listing, or last week; never before it was issued."""
        base = (provider.listed_on - dt.timedelta(days=10) if provider.listed_on
                else self.today - dt.timedelta(days=7))
        day = min(max(base, issued_on + dt.timedelta(days=2)), self.today)
        return self.aware(day, 15, 20)

    def credential(self, provider, person, ctype, state, reviewer, *, position, total,
                   number, issuer, issued_on, expires_on, filename, png=False):
        verification, note = self.verification_for(state, position, total)
        reviewed = verification != VerificationState.PENDING
        maker = (self.png_maker if png else self.pdf_maker)(f"Type: {ctype}",
                                                            f"Issued: {issued_on:%Y-%m-%d}")
        return self.upsert(
            Credential,
            {"provider": provider, "person": person, "type": ctype},
            {"number": number, "issuer": issuer, "issued_on": issued_on,
             "expires_on": expires_on, "verification": verification, "review_note": note,
             "reviewed_by": reviewer if reviewed else None,
             "reviewed_at": self.review_time(provider, issued_on) if reviewed else None},
            files={"file": (filename, maker)},
        )

    def seed_provider_credentials(self, provider, spec, state, reviewer):
        kind = spec["kind"]
        types = list(REQUIRED_FOR_PROVIDER[kind]) + list(spec.get("extra") or ())
        for position, ctype in enumerate(types):
            year = self.rng.randint(2012, 2022)
            issued = dt.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))
            expires = None
            serial = self.rng.randrange(10**7)
            if ctype == C.BUSINESS_LICENCE:
                reg = spec["reg"]
                filename, issuer = {
                    "91": ("营业执照.pdf", "滨江区市场监督管理局"),
                    "52": ("民办非企业单位登记证书.pdf", "滨江区民政局"),
                    "12": ("事业单位法人证书.pdf", "滨江区事业单位登记管理局"),
                }[reg]
                number = provider.credit_code
            elif ctype == C.SCHOOL_PERMIT:
                issued = dt.date(self.rng.randint(2022, 2024), issued.month, issued.day)
                expires = dt.date(issued.year + 5, issued.month, issued.day)
                number = f"教民1{DISTRICT_CODE}7{serial:07d}号"
                filename, issuer = "民办学校办学许可证.pdf", "滨江区教育局"
            elif ctype == C.TEACHER_CERTIFICATE:
                issued = dt.date(self.rng.randint(1996, 2001), issued.month, issued.day)
                number = f"{issued.year}{DISTRICT_CODE}{serial:07d}"
                filename, issuer = "教师资格证书.pdf", "杭州市教育局"
            elif ctype == C.PROFESSIONAL_CERTIFICATE:
                cert_name, issuer = spec["cert"]
                number = f"ZJ{year}-{serial % 100000:05d}"
                filename = f"{cert_name}.pdf"
            elif ctype == C.COACH_LICENCE:
                issued = dt.date(self.rng.randint(2023, 2025), issued.month, issued.day)
                expires = dt.date(issued.year + 4, issued.month, issued.day)
                number = f"TY{issued.year}{serial % 1000000:06d}"
                filename, issuer = "教练员等级证书.pdf", "浙江省体育局"
            elif ctype == C.HERITAGE_INHERITOR:
                number = f"浙非遗传〔{year}〕{serial % 1000:03d}号"
                filename, issuer = "非物质文化遗产代表性传承人证书.pdf", "浙江省文化和旅游厅"
            else:  # pragma: no cover - every type in the table is handled above
                number, filename, issuer = "", "证书.pdf", ""
            self.credential(provider, None, ctype, state, reviewer, position=position,
                            total=len(types), number=number, issuer=issuer, issued_on=issued,
                            expires_on=expires, filename=filename)

    def seed_person_credentials(self, provider, person, spec, state, reviewer):
        for position, ctype in enumerate(REQUIRED_FOR_PERSON, start=5):
            age_days = self.rng.randint(20, 300)
            serial = self.rng.randrange(10**6)
            issued = self.today - dt.timedelta(days=age_days)
            expires = None
            png = False
            if ctype == C.HEALTH_CERTIFICATE:
                if state == S.SUSPENDED and spec["kind"] == PRO:
                    # Suspended on expiry of the health certificate.
                    issued = self.today - dt.timedelta(days=400)
                expires = policy.add_months(issued, 12)
                number = f"HZ{issued.year}{serial:06d}"
                issuer, filename, png = "滨江区疾病预防控制中心", "健康证明.png", True
            else:
                number = f"滨公（刑）证字〔{issued.year}〕{serial % 100000:05d}号"
                issuer, filename = "杭州市公安局滨江区分局", "无犯罪记录证明.pdf"
            self.credential(provider, person, ctype, state, reviewer, position=position,
                            total=10, number=number, issuer=issuer, issued_on=issued,
                            expires_on=expires, filename=filename, png=png)

    def seed_check(self, person, checker, *, flagged: bool, pending: bool):
        self.check_seq += 1
        checked = self.today - dt.timedelta(days=self.rng.randint(15, 330))
        simulated = self.rng.random() < 0.25
        reference = f"滨教查〔{checked.year}〕{self.check_seq:04d}号"
        if pending:
            values = {"state": CheckState.REQUESTED,
                      "criminal_record": CriminalRecordResult.PENDING,
                      "health": HealthResult.PENDING, "character": CharacterResult.PENDING,
                      "checked_on": None, "officer": None, "note": ""}
            files = None
        elif flagged:
            values = {"state": CheckState.FLAGGED,
                      "criminal_record": CriminalRecordResult.FLAGGED, "health": HealthResult.FIT,
                      "character": CharacterResult.CONCERN,
                      "checked_on": self.today - dt.timedelta(days=6), "officer": checker,
                      "note": "违法犯罪记录查询发现相关记录，依规不得进入校园从事课后服务。"}
            files = {"result_file": ("违法犯罪记录查询结果.pdf",
                                     self.pdf_maker("Background check result: FLAGGED"))}
        else:
            values = {"state": CheckState.CLEARED,
                      "criminal_record": CriminalRecordResult.CLEAR, "health": HealthResult.FIT,
                      "character": CharacterResult.GOOD,
                      "checked_on": checked, "officer": checker,
                      "note": "经公安机关查询无违法犯罪记录，体检合格，所在单位及社区评价良好。"}
            files = {"result_file": ("违法犯罪记录查询结果.pdf",
                                     self.pdf_maker("Background check result: CLEAR"))}
        values["adapter"] = CheckAdapter.SIMULATED if simulated else CheckAdapter.MANUAL
        self.upsert(BackgroundCheck, {"person": person, "reference": reference}, values, files)
        if flagged:
            person.barred = True
            person.save(update_fields=["barred"])

    # --- history ------------------------------------------------------------------------
    REVIEWED = [("submit", S.DRAFT, S.SUBMITTED, "owner", "", ""),
                ("start_review", S.SUBMITTED, S.QUALIFICATION_REVIEW, "reviewer", "", "")]
    APPROVED = REVIEWED + [
        ("approve_qualification", S.QUALIFICATION_REVIEW, S.BACKGROUND_CHECK, "reviewer", "",
         "资质材料齐全，课程内容符合要求。"),
        ("confirm_checks", S.BACKGROUND_CHECK, S.CONTRACT, "checker", "", "进校人员均已通过核查。"),
    ]
    LISTED = APPROVED + [("approve_listing", S.CONTRACT, S.LISTED, "manager", "", "准予入选。")]
    HISTORY = {
        S.DRAFT: [],
        S.SUBMITTED: REVIEWED[:1],
        S.QUALIFICATION_REVIEW: REVIEWED,
        S.CHANGES_REQUESTED: REVIEWED + [
            ("request_changes", S.QUALIFICATION_REVIEW, S.CHANGES_REQUESTED, "reviewer",
             Reason.UNREADABLE, "部分证照扫描件不清晰，请重新上传。")],
        S.BACKGROUND_CHECK: APPROVED[:3],
        S.CONTRACT: APPROVED,
        S.LISTED: LISTED,
        S.SUSPENDED: LISTED + [("suspend", S.LISTED, S.SUSPENDED, "manager", Reason.VIOLATION,
                                "飞行检查发现未按协议提供服务，暂停入选资格。")],
        S.EXITED: LISTED + [("exit", S.LISTED, S.EXITED, "manager", Reason.VIOLATION,
                             "经查在校招揽生源，依规退出备选清单。")],
        S.REJECTED: REVIEWED + [("reject", S.QUALIFICATION_REVIEW, S.REJECTED, "reviewer",
                                 Reason.ACADEMIC, "申报课程以学科类培训为主，不予准入。")],
    }

    def seed_history(self, provider, state, listed_on):
        """The entry's timeline up to its seeded state, once (the seed is re-runnable)."""
        content_type = ContentType.objects.get_for_model(Provider)
        if TimelineEntry.objects.filter(content_type=content_type,
                                        object_id=provider.pk).exists():
            return
        steps = self.HISTORY[state]
        start = (listed_on - dt.timedelta(days=12)) if listed_on \
            else self.today - dt.timedelta(days=15)
        for index, (name, source, target, actor, reason, comment) in enumerate(steps):
            day = start + dt.timedelta(days=2 * index)
            if name == "approve_listing":
                day = listed_on
            elif name in {"suspend", "exit"}:
                day = min(self.today, max(listed_on + dt.timedelta(days=30),
                                          self.today - dt.timedelta(days=20)))
            at = self.aware(day, 9 + index % 8)
            by = provider.owner if actor == "owner" else self.users[actor]
            log = StateLog.objects.create(
                timestamp=at, by=by, source_state=source, state=target, transition=name,
                content_type=content_type, object_id=provider.pk, description=comment or None)
            TimelineEntry.objects.create(
                content_type=content_type, object_id=provider.pk, statelog=log, actor=by,
                action=name, source_state=source, target_state=target, reason=reason,
                comment=comment, created_at=at)

    # --- offerings ----------------------------------------------------------------------
    def seed_offerings(self, provider, spec, state, reviewer):
        kind = spec["kind"]
        reviewed = state not in {S.DRAFT, S.SUBMITTED, S.QUALIFICATION_REVIEW,
                                 S.CHANGES_REQUESTED, S.REJECTED}
        for position, key in enumerate(spec["offers"]):
            (category, title, grade_from, grade_to, minutes, capacity, delivery, resource,
             outline, materials) = TEMPLATES[key]
            if kind == INST:
                price = self.rng.randrange(120, 301, 10)
            elif kind == V:
                price = 0 if spec["reg"] == "12" else self.rng.randrange(50, 201, 10)
            elif kind == PRO:
                price = self.rng.randrange(100, policy.professional_fee_cap() + 1, 10)
            elif kind == RT:
                price = self.rng.randrange(50, 121, 10)
            else:
                price = 0
            per_term = None
            if kind in {INST, PRO} and category in {CAT.ARTS, CAT.SPORTS, CAT.TECHNOLOGY} \
                    and self.rng.random() < 0.5:
                per_term = self.rng.randrange(200, policy.personalised_course_cap() + 1, 50)
            capacity += self.rng.choice([0, 0, 5, 10])
            if key == "sa1":
                capacity = 200
            if reviewed or (state == S.QUALIFICATION_REVIEW and position == 0):
                review, note = VerificationState.VERIFIED, ""
            elif state == S.CHANGES_REQUESTED and position == 0:
                review, note = VerificationState.REFUSED, (
                    "课程大纲请细化到每课时的教学内容和活动安排。")
            elif key == "ac1":
                review, note = VerificationState.REFUSED, (
                    "属于学科类培训内容，依据“双减”政策不得纳入课后服务。")
            elif state == S.REJECTED:
                review, note = VerificationState.VERIFIED, ""
            else:
                review, note = VerificationState.PENDING, ""
            offering = self.upsert(
                Offering, {"provider": provider, "title": title},
                {"category": category, "resource_type": resource, "delivery": delivery,
                 "grade_from": grade_from, "grade_to": grade_to, "session_minutes": minutes,
                 "capacity": capacity, "price_per_session": Decimal(price),
                 "price_per_student_term": Decimal(per_term) if per_term else None,
                 "outline": outline, "safety_measures": SAFETY[category],
                 "materials": materials, "review": review, "review_note": note},
            )
            self.offerings[(spec["name"], key)] = offering

    # --- agreements ---------------------------------------------------------------------
    def seed_admission_contract(self, provider, state, listed_on, people):
        start = listed_on or self.today - dt.timedelta(days=5)
        end = policy.admission_agreement_end(start)
        contract = self.upsert(
            Contract, {"provider": provider, "kind": ContractKind.ADMISSION},
            {"booking": None, "period_start": start, "period_end": end},
            files={"pdf": ("准入协议.pdf", self.pdf_maker("Admission agreement",
                                                          f"Valid {start} - {end}"))},
        )
        self.sign(contract, SignatureParty.VENDOR, provider.owner,
                  provider.contact_name, start - dt.timedelta(days=4))
        if state != S.CONTRACT:
            self.sign(contract, SignatureParty.BUREAU, self.users["manager"], "张卫东",
                      start - dt.timedelta(days=2))

    def sign(self, contract, party, signer, typed_name, day):
        self.upsert(
            Signature, {"contract": contract, "party": party},
            {"signer": signer, "typed_name": typed_name, "consent": True,
             "signed_at": self.aware(day, 9 + self.rng.randint(0, 8), self.rng.randint(0, 59)),
             "ip_address": f"10.{self.rng.randint(10, 250)}.{self.rng.randint(0, 255)}."
                           f"{self.rng.randint(2, 250)}",
             "pdf_sha256": contract.pdf_sha256},
        )

    # --- bookings -----------------------------------------------------------------------
    def seed_bookings(self):
        self.bookings = []
        for (school_name, provider_name, key, term_name, state, (grade_from, grade_to),
             students, place, slots, lessons) in BOOKINGS:
            school = self.schools[school_name]
            offering = self.offerings[(provider_name, key)]
            term = self.terms[term_name]
            provider = self.providers[provider_name]
            requester = next(u for u in school.coordinators.order_by("username"))
            assert provider.state == S.LISTED or state == B.COMPLETED, provider_name
            assert offering.grade_from <= grade_from <= grade_to <= offering.grade_to, key
            note = {
                B.DECLINED: "该时段教练已安排其他学校训练，建议调整到周二或周四。",
                B.CANCELLED: "学校音乐教师已组建合唱团，本学期不再需要外聘服务。",
            }.get(state, "")
            booking = self.upsert(
                Booking, {"school": school, "offering": offering, "term": term},
                {"place": place, "grade_from": grade_from, "grade_to": grade_to,
                 "student_count": students, "price_per_session": offering.price_per_session,
                 "requested_by": requester, "state": state, "note": note},
            )
            for weekday, start, end in slots:
                self.upsert(BookingSlot,
                            {"booking": booking, "weekday": weekday, "starts_at": _time(start)},
                            {"ends_at": _time(end)})
            if lessons:
                self.seed_schedule(booking, slots[0], lessons, provider_name, place)
            if state in SERVICE_CONTRACT_STATES:
                contract = self.upsert(
                    Contract, {"booking": booking, "kind": ContractKind.SERVICE},
                    {"provider": provider, "period_start": term.starts_on,
                     "period_end": term.ends_on},
                    files={"pdf": ("课后服务协议.pdf",
                                   self.pdf_maker("Service agreement", f"Term {term.starts_on}"))},
                )
                signed = term.starts_on - dt.timedelta(days=10)
                self.sign(contract, SignatureParty.SCHOOL, requester, requester.first_name,
                          signed)
                self.sign(contract, SignatureParty.VENDOR, provider.owner,
                          provider.contact_name, signed + dt.timedelta(days=1))
            if state == B.COMPLETED:
                self.seed_evaluations(booking, provider_name, requester)
            self.bookings.append(booking)

    def seed_schedule(self, booking, slot, lessons, provider_name, place):
        weekday, start, end = slot
        responsible = next(p for p in self.people[provider_name] if not p.barred)
        day = booking.term.starts_on + dt.timedelta(days=7)
        while day.isoweekday() != weekday:
            day += dt.timedelta(days=1)
        form = "小组教学" if booking.offering.category != CAT.HOMEWORK else "分组辅导"
        for number, lesson in enumerate(lessons, start=1):
            self.upsert(
                ScheduleEntry, {"booking": booking, "date": day, "starts_at": _time(start)},
                {"ends_at": _time(end), "content": f"第{number}课：{lesson}", "venue": place,
                 "form": form, "responsible": responsible},
            )
            day += dt.timedelta(days=7)

    def seed_evaluations(self, booking, provider_name, requester):
        poor = provider_name == "滨江区飞跃跆拳道培训有限公司"
        term = booking.term
        rating_day = term.ends_on - dt.timedelta(days=14)
        criteria = ({"content": 3, "punctuality": 2, "safety": 3, "communication": 2,
                     "effect": 3} if poor else
                    {"content": 5, "punctuality": 5, "safety": 5, "communication": 4,
                     "effect": 5})
        score = Decimal(sum(criteria.values()) * 4)
        self.upsert(
            Evaluation, {"booking": booking, "kind": EvaluationKind.SCHOOL_RATING,
                         "occurred_on": rating_day},
            {"score": score, "answers": criteria, "recorded_by": requester,
             "comment": "多次在课上向学生发放机构招生宣传材料，教练频繁更换，未按协议开展教学。"
             if poor else "课程组织有序，教练认真负责，学生参与度高，安全措施到位。"},
        )
        for offset, (respondent, rating, comment) in enumerate(
                SURVEY_COMMENTS["poor" if poor else "good"]):
            self.upsert(
                Evaluation, {"booking": booking, "kind": EvaluationKind.SURVEY,
                             "occurred_on": rating_day + dt.timedelta(days=offset + 1)},
                {"score": Decimal(rating * 20), "comment": comment, "recorded_by": None,
                 "answers": {"respondent": respondent, "satisfaction": rating,
                             "enjoys": min(5, rating + 1), "safety": 5 if not poor else 3}},
            )
        self.upsert(
            Evaluation, {"booking": booking, "kind": EvaluationKind.INSPECTION,
                         "occurred_on": term.starts_on + dt.timedelta(days=60)},
            {"inspection_kind": InspectionKind.FLYING if poor else InspectionKind.SPOT_CHECK,
             "score": Decimal(58 if poor else 92), "recorded_by": self.users["manager"],
             "answers": {"attendance": "present", "content_as_agreed": not poor},
             "comment": "飞行检查发现授课人员与备案人员不一致，课堂上发放招生传单。" if poor
             else "抽查时课堂秩序良好，授课人员与备案一致，签到记录完整。"},
        )
        if poor:
            self.upsert(
                Evaluation, {"booking": booking, "kind": EvaluationKind.INCIDENT,
                             "occurred_on": term.starts_on + dt.timedelta(days=75)},
                {"score": None, "recorded_by": requester, "answers": {},
                 "comment": "教练在校门口向家长发放收费课程报名表并组织现场缴费，"
                            "学校已当场制止并留存照片。"},
            )

    # --- exit and notices -----------------------------------------------------------------
    def seed_exit_cases_and_notices(self):
        manager = self.users["manager"]
        exited = self.providers["滨江区飞跃跆拳道培训有限公司"]
        decided = dt.date(2026, 7, 10)
        self.upsert(
            ExitCase, {"provider": exited, "trigger": ExitTrigger.COMPLAINT},
            {"reasons": [ExitReason.RECRUITING.value, ExitReason.NOT_AS_AGREED.value,
                         ExitReason.LOW_SATISFACTION.value],
             "evidence": "新塘镇九年一贯制学校书面投诉：教练多次在校内向学生和家长发放收费课程"
                         "宣传材料并组织报名；区教育局飞行检查发现授课人员与备案人员不一致；"
                         "学期家长满意度仅44%。",
             "opened_by": self.users["school3"], "decided_by": manager,
             "decided_at": self.aware(decided, 16, 30), "state": ExitState.EXITED,
             "decision_note": "经调查核实，该机构存在在校招揽生源、未按协议提供服务等问题，"
                              "决定将其移出课后服务校外资源备选清单。",
             "reapply_allowed_from": policy.add_months(
                 decided, policy.value("REAPPLY_BAR_MONTHS"))},
            files={"evidence_file": ("投诉材料及现场照片.pdf",
                                     self.pdf_maker("Complaint and inspection evidence"))},
        )
        suspended = self.providers["滨江区优游游泳培训有限公司"]
        self.upsert(
            ExitCase, {"provider": suspended, "trigger": ExitTrigger.INSPECTION},
            {"reasons": [ExitReason.LOW_RESPONSIBILITY.value],
             "evidence": "2026年10月飞行检查发现：游泳课进行中救生员未在岗，"
                         "泳池水质检测记录缺失两周。",
             "opened_by": manager, "state": ExitState.UNDER_REVIEW, "decided_by": None,
             "decided_at": None, "decision_note": "", "reapply_allowed_from": None},
        )

    # --- report ---------------------------------------------------------------------------
    def report(self, elapsed: float):
        out = self.stdout.write
        role_label = {role.value: str(role.label) for role in Role}
        out(self.style.MIGRATE_HEADING("Demo logins (password for every account below)"))
        out(f"  {'role':<22} {'username':<10} {'password':<16} {'start URL':<40} label")
        rows = [(r.value, u, role_label[r.value]) for u, r, *_ in self.ACCOUNTS]
        rows.append(("superuser", "admin", "系统管理员"))
        # Where the demo is served: BASE_URL, which `make demo` sets from HOST.
        login_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("login")
        for role, username, label in rows:
            out(f"  {role:<22} {username:<10} {DEMO_PASSWORD:<16} {login_url:<40} {label}")
        out("  Every other provider has its own vendor account (v002, v003, …, named by its"
            " position in the seed list) with the same password.")

        out(self.style.MIGRATE_HEADING("What exists now"))
        models = [
            ("Towns", Town), ("Schools", School), ("Terms", Term), ("Providers", Provider),
            ("People", Person), ("Credentials", Credential),
            ("Background checks", BackgroundCheck), ("Offerings", Offering),
            ("Bookings", Booking), ("Weekly slots", BookingSlot),
            ("Schedule entries", ScheduleEntry), ("Agreements", Contract),
            ("Signatures", Signature), ("Evaluations", Evaluation), ("Exit cases", ExitCase),
            ("Users", get_user_model()),
        ]
        for label, model in models:
            new = self.created.get(model.__name__, 0)
            out(f"  {label:<20} {model.objects.count():>5}   (new this run: {new})")
        states = Counter(Provider.objects.values_list("state", flat=True))
        out("  Providers by state: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
        categories = set(Offering.objects.values_list("category", flat=True))
        missing = set(Category.values) - categories
        out(f"  Offering categories covered: {len(categories)}/{len(Category.values)}"
            + (f" (missing: {', '.join(sorted(missing))})" if missing else ""))
        out(self.style.SUCCESS(f"Demo data ready in {elapsed:.1f} s."))
