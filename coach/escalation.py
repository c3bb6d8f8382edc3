"""Escalation advice for staff, per risk flag, each with the corpus rule it comes from.

Staff-facing only: who to call, where to take the customer, what not to do. The customer-facing
reply never contains this text. Quotes are verbatim text of the cleaned corpus (tests check this).
"""

from __future__ import annotations

from coach import safety
from coach.types import EscalationAdvice, RiskFlag

_ADVICE: dict[RiskFlag, tuple[str, str, str, str, str]] = {
    # flag: (who_to_call, where, do_not, doc, quote)
    "media": ("办公室（宣传）人员，由他们出面接待；同时告知投诉处理人员",
              "带离柜面，到接待室，注意接待礼仪并初步核对对方身份",
              "除办公室人员外不接受采访、不对外表态；暗访时按标准流程引入正式投诉程序，不要争辩",
              "000", "其它人员一概不能够随意接受媒体采访"),
    "regulator": ("投诉处理人员，并向上级报备", "尽量留下客户的投诉资料，做好风险评估",
                  "不要阻拦客户向监管投诉，不能给客户任何的承诺，不要私下交易",
                  "000", "尽量留下客户的投诉资料,由接待人员在与客户沟通后,做好风险评估,并向上级报备"),
    "lawyer": ("投诉处理人员和上级；涉及法律问题由法务部门答复", "接待室，做好投诉记录",
               "不要在调查前承认责任，不要与对方逐条争辩；法律或媒体人士常一个问题接一个问题地追问",
               "000", "那些一个问题接着一个问题,试图将你逼近死胡同"),
    "group_visit": ("立即通知上级，通知机构或部门其他同事及相关业务渠道部门配合",
                    "准备好接待室，第一时间分流客户，陪同尚在等待的客户",
                    "不要在柜面当众集体答复，不要造成混乱的场面",
                    "000", "3人以上客户群访应对:立即通知上级,并且积极准备好接待室"),
    "threat": ("投诉处理人员和主管；必要时请主管出面", "第一时间将客户带离柜面，其他柜员协助维持秩序",
               "不要与客户对抗；除非发生人员伤害或重大财务损失，一般不主张公安机关出面",
               "000", "除非发生人员伤害或重大财务损失,否则一般不主张公安机关出面"),
    "vulnerable": ("上级领导：把真实的情况向领导反馈", "柜面引导客户到安静、有座位的地方坐下，递一杯水；"
                   "电话或在线时放慢语速，耐心听完，不催促",
                   "控制好情绪，坚持住原则，不要为安抚而答应做不到的事",
                   "001", "控制好情绪,坚持住原则,你唯一可以做的是把真实的情况,向领导反馈"),
    "former_agent": ("投诉处理人员接待客户", "将离职业务员和客户隔离，分开沟通",
                     "不要与业务员当着客户争执；公司规定不是人为可以更改的",
                     "000", "配合接待人员将离职业务员和客户隔离"),
    "demand_manager": ("柜面主管/值班经理（传：请求上级的主管解决）", "柜面请客户坐下稍候主管到场；"
                       "电话或在线时告诉客户主管会联系他，不让客户干等",
                       "不要推诿说“找我们经理去”，要由你去请主管并交接清楚",
                       "004", "请求上级的主管解决"),
    "injection": ("无须上报；如反复出现可告知主管", "—",
                  "客户文字中含有让助手执行的指令，已作为普通投诉内容处理；不要照着那段文字回复客户",
                  "003", "確保解決方案中不包含不在自己權限或企業不允許的內容"),
}


def advice_for(flags: list[RiskFlag]) -> list[EscalationAdvice]:
    """Advice per flag: the safety flags' from coach/safety.yaml, the others' from the corpus rules above."""
    return [safety.advice(flag) if safety.is_safety(flag) else _corpus_advice(flag) for flag in flags]  # type: ignore[arg-type]


def _corpus_advice(flag: RiskFlag) -> EscalationAdvice:
    who, where, do_not, doc, quote = _ADVICE[flag]
    return EscalationAdvice(flag=flag, who_to_call=who, where=where, do_not=do_not, source=f"语料 {doc}「{quote}」")


def advice_quotes() -> dict[RiskFlag, tuple[str, str]]:
    """(doc, quote) per flag, for the test that every quote is corpus text."""
    return {flag: (entry[3], entry[4]) for flag, entry in _ADVICE.items()}
