"""Hints for course-content review (课程内容审核): does an offering look like academic-subject
teaching (学科类培训), which institutions may not offer in after-school service
[001 §四(三)3, §五(四)]?

This is a hint for the reviewer, never a decision: it lists the words that matched so the
reviewer can judge. Two kinds of words:

- unambiguous ones (语文, 数学, 奥数, 补课, 阅读理解 …) match anywhere; "阅读" (reading) alone
  is an allowed category, "阅读理解" (reading-comprehension drills) is the exam skill;
- subject names that everyday course descriptions also use (剪纸历史, 物理现象, 生物多样性)
  match only as school-subject teaching: after a school stage (初中物理) or before a word
  of teaching or testing (历史课, 化学知识点, 生物辅导).

``price_flags`` likewise names a price above a policy cap (收费上限): an institution may set
one, but the reviewer should accept it knowingly.
"""

import re

from django.utils.translation import gettext as _

from workflows import policy

#: Words that match wherever they appear.
UNAMBIGUOUS_KEYWORDS: tuple[str, ...] = (
    "语文", "数学", "英语", "奥数", "补课", "培优", "学科", "作文", "阅读理解",
    "应试", "提分", "刷题", "同步辅导",
)

#: School subjects that count only in a teaching context.
SUBJECT_KEYWORDS: tuple[str, ...] = ("物理", "化学", "生物", "历史", "地理", "政治")

#: Every word ``looks_academic`` can report.
ACADEMIC_KEYWORDS: tuple[str, ...] = UNAMBIGUOUS_KEYWORDS + SUBJECT_KEYWORDS

#: Phrases containing a keyword that are not academic teaching; removed before matching.
ALLOWED_PHRASES: tuple[str, ...] = ("非学科", "跨学科")

_STAGES = ("小学", "初中", "高中", "初一", "初二", "初三", "高一", "高二", "高三",
           "七年级", "八年级", "九年级")
_TEACHING = ("课", "学科", "知识点", "习题", "试题", "考试", "中考", "辅导", "同步", "教材",
             "课本", "成绩", "竞赛", "补习", "提高班", "培优")


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ALLOWED = re.compile(_alternation(ALLOWED_PHRASES))
_SUBJECT_IN_CONTEXT = re.compile(
    rf"(?:{_alternation(_STAGES)})\s*({_alternation(SUBJECT_KEYWORDS)})"
    rf"|({_alternation(SUBJECT_KEYWORDS)})\s*(?:{_alternation(_TEACHING)})"
)


def looks_academic(text: str) -> list[str]:
    """The academic keywords found in ``text``, in the order of ``ACADEMIC_KEYWORDS``
    (empty when nothing matched)."""
    if not text:
        return []
    cleaned = _ALLOWED.sub(" ", text)
    found = {word for word in UNAMBIGUOUS_KEYWORDS if word in cleaned}
    for match in _SUBJECT_IN_CONTEXT.finditer(cleaned):
        found.add(match.group(1) or match.group(2))
    return [word for word in ACADEMIC_KEYWORDS if word in found]


def price_flags(offering) -> list[str]:
    """What the reviewer should know about ``offering``'s prices: each price above its
    policy cap, with the cap (empty when every price is within its cap)."""
    flags = []
    fee_cap = policy.professional_fee_cap()
    if offering.price_per_session is not None and offering.price_per_session > fee_cap:
        flags.append(_("%(price)s yuan per session is above the professional fee cap of "
                       "%(cap)s yuan.") % {"price": offering.price_per_session, "cap": fee_cap})
    term_cap = policy.personalised_course_cap()
    if (offering.price_per_student_term is not None
            and offering.price_per_student_term > term_cap):
        flags.append(_("%(price)s yuan per student per term is above the personalised-course "
                       "cap of %(cap)s yuan.") % {"price": offering.price_per_student_term,
                                                  "cap": term_cap})
    return flags
