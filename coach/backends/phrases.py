"""The offline composer's wording: every sentence it can say, each tied to the corpus text it follows.

Sentences are ``string.Template``s whose slots take values only from the finite tables below (issue
topics, the customer's claim per issue, demand phrases, the policy's callback window), so the whole
set of sentences the composer can emit is enumerable: ``tests/test_offline_composer.py`` runs every
one of them through the guard and the placeholder check. Wording follows ``script`` and ``principle``
passages of the corpus (``quote`` is the passage text it follows, in the document's script); nothing is
taken from the taboo examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Step = Literal["稳", "道歉及感谢", "问", "动", "传", "换", "结"]


@dataclass(frozen=True)
class Phrase:
    key: str
    step: Step
    zh: str
    en: str
    doc: str
    quote: str  # the corpus passage this sentence follows (verbatim, any script)


# ------------------------------------------------------------------------------------- slot values

# issue key -> (the customer's view, restated: zh, en)
CLAIMS: dict[str, tuple[str, str]] = {
    "mis_selling": ("受到了业务员的误导", "you were misled when the policy was sold to you"),
    "surrender": ("退保的处理让您不满意", "the way your cancellation was handled is not right"),
    "claim": ("理赔的处理不合理", "the way your claim was handled is not right"),
    "remittance": ("这笔汇款没能按您的需要办理", "your transfer did not go through as you needed"),
    "charges": ("这笔费用收得不合理", "this charge should not have been taken"),
    "card_account": ("账户的处理给您造成了很大不便", "what happened to your account has caused you real trouble"),
    "product": ("产品的质量有问题", "the product is not of the quality it should be"),
    "network": ("通话和网络的问题影响了您的正常使用", "the line and network problems have stopped you using the service"),  # noqa: E501
    "delivery": ("送货没有按约定做到", "the delivery did not happen as agreed"),
    "service": ("我们的服务让您很不满意", "the way you were treated was not acceptable"),
    "general": ("这件事给您带来了很大的困扰", "this has caused you a lot of trouble"),
}

# demand -> (zh, en); refund wording depends on the issue
DEMANDS_ZH: dict[str, str] = {
    "refund": "退款", "compensation": "赔偿损失", "interest": "支付利息损失", "apology": "向您正式道歉",
    "deadline": "尽快给出处理结果", "discipline": "处理相关的工作人员", "see_manager": "请负责人出面",
}
DEMANDS_EN: dict[str, str] = {
    "refund": "a refund", "compensation": "compensation for your loss", "interest": "the lost interest",
    "apology": "a formal apology", "deadline": "a result quickly", "discipline": "action against the staff member",
    "see_manager": "to speak to someone in charge",
}
REFUND_ZH = {"mis_selling": "全额退保", "surrender": "全额退保"}
REFUND_EN = {"mis_selling": "a full refund of the policy", "surrender": "a full refund of the policy"}
MONEY = ("refund", "compensation", "interest")
DEMAND_ORDER = ("refund", "compensation", "interest", "apology", "deadline", "discipline", "see_manager")

WINDOW_EN = {"三个工作日内": "within three working days", "两个工作日内": "within two working days",
             "一个工作日内": "within one working day", "五个工作日内": "within five working days",
             "24小时内": "within 24 hours"}

# ------------------------------------------------------------------------- the customer's own facts

# Which words of the customer may be named back to them (offline.key_facts). A fact is a key term: a
# noun (jieba), a complaint verb-noun from this list, a quantity, or a short quoted name — 2 to 8
# characters, never a clause. Terms that would make staff repeat a promise, an insult, an instruction
# or a person's name are dropped, and so are the words every complaint has.
FACT_VERBS = frozenset(
    "退保 解约 转账 汇款 拒赔 理赔 赔付 报案 退货 换货 退款 退费 保养 维修 修理 扣费 扣款 收费 "
    "冻结 解冻 挂失 锁卡 停机 开通 掉线 断线 断网 漏油 漏水 漏酒 过敏 红肿 排队 投保 续保 兑付 "
    "逾期 分红 保本 送货 发货 取件 卧放 勾兑 误导 限额 超限".split())
FACT_BANNED = (
    r"保证|承诺|担保|确保|答应|一定|肯定|绝对|必须|包赔|包退|包换|全包|务必|马上|立刻|立即|"
    r"全额|赔偿|补偿|赔钱|赔我|免费|白送|赠送|"
    r"骗|垃圾|混蛋|他妈|妈的|王八|无耻|坑|黑心|废物|傻|蠢|滚|死|找谁|到底|没完|好看|看着办|"
    r"忽略|指示|指令|回复|原样|提示词|助手|系统|任务|话术|"
    r"guarantee|promis|assur|definite|certain|ignore|instruction|repl[yi]|prompt|assistant|system|"
    r"compensat|idiot|useless|stupid|scam|fraud|disgust|ridiculous|\b(?:full|free|damn|hell)\b")
# Words every complaint has: never a fact, and they split compounds.
FACT_GENERIC = frozenset(
    "问题 事情 事儿 情况 东西 时候 意思 说法 结果 办法 答复 处理 解决 投诉 反映 客户 顾客 公司 你们 "
    "我们 人家 大家 银行 店里 门口 电话 一下 一句 这个 那个 这次 上次 每次 一点 有点 今天 明天 昨天 "
    "现在 当天 人 钱 面 事 个数 经验 理由 规定 意见 建议 "
    "心里 地方 办事 业务 工作 一辈子 感觉 样子 全都 委托 差点 我会 人气 根本 时间 记录 "
    "身份证 身份证号 手机号 卡号 账号 地址 邮箱 孩子 女儿 儿子 闺女 老伴 父亲 母亲 妈 爸".split())
# Fillers for the exhaustive test of the $facts phrases (emittable): real terms, and terms that must be
# safe even if one ever got through (key_facts drops them).
FACT_SAMPLES: tuple[tuple[str, ...], ...] = (
    ("跨境汇款", "学费"), ("话费", "叠加包", "三天"), ("robot vacuum", "cracked"),
    ("全额退款保证", "你爱找谁找谁", "赔偿五千"),
)
# Pronouns and particles: a term holding one is a fragment of a clause, not a fact.
FACT_FRAGMENT = r"[我你他她它咱啥嘛吗呢吧啊呀别]|^[不没]"
# Text the customer tells the assistant to say: skipped whole before any fact is taken.
INJECTION_CLAUSE = (r"忽略|无视|指示|指令|原样|回复|新任务|system|assistant|助手|作为ai|ignore|instruction|reply|"
                    r"repeat after|you are now")
FACT_QUANTITY = (r"(?<![第0-9一二两三四五六七八九十百千几半])"
                 r"(?:[0-9]{1,4}|[一二两三四五六七八九十百千几半]{1,4})(?:多|来)?(?:个多?小时|个人|公里|小时|分钟|块钱?|元|万|天|周|次|瓶|箱|年)")
NAME_PREFIX = r"^(?:小|老|阿)[\u4e00-\u9fff]$"
EN_STOP = frozenset("""
a an the i me my mine we us our you your yours he him his she her they them their it its this that these
those there here and or but so if then than as at by for from in into of on onto to with without about
over under up down out off again is am are was were be been being do does did done have has had having
will would can could shall should may might must not no yes just only very really too also even still
ever never now today tonight tomorrow yesterday week month year time times day days all any some every
each more most much many few lot lots get got getting give gave given go went gone going come came make
made say said tell told ask asked want wanted need needed know think see look put take took let like
one two three four five six seven eight nine ten first last same other another what which who whom whose
why how when where while because since until please thanks thank hi hello dear sir madam ok okay well
sorry complaint complain company people someone something anything nothing thing things way right back
even though isn't don't didn't can't won't i'm i've it's that's you're we're they're let's i'll we'll
you'll i'd we'd arrived bought sent paid called waited stopped broke check whether charged thought
tells leaving filed drafting already maybe better free deal
""".split())

# ------------------------------------------------------------------------------------------- 稳

OPENINGS: dict[str, Phrase] = {p.key: p for p in (
    Phrase("open_vulnerable", "稳", "我们真的非常同情您。您先坐下来喝口水，慢慢说，我在这里认真听。",
           "I am truly sorry this has happened to you. Please take a seat and have some water; take your time, I am listening.",  # noqa: E501
           "000", "我们真的非常同情你"),
    Phrase("open_vent", "稳", "您先不要着急，慢慢说，我在认真听。$topic让您这么着急，如果我是您，遇到这样的情况肯定也很着急。",  # noqa: E501
           "Please take your time and tell me everything; I am listening. If I were in your place I would be upset too.",  # noqa: E501
           "002", "如果我是您,我遇到這樣的情況肯定也很著急"),
    Phrase("open_compensation", "稳", "我能够理解您的心情，您反映的$topic很重要，我们非常重视。",
           "I understand how you feel, and what you are raising about $topic matters to us.",
           "001", "我能够理解您的心情,您说的这个问题很重要"),
    Phrase("open_dominant", "稳", "感谢您亲自来跟我们反映$topic，我们非常尊重您的意见。",
           "Thank you for coming in person to raise $topic; your view matters to us.",
           "004", "满足对方被尊重的愿望"),
    Phrase("open_polite", "稳", "谢谢您这么耐心地把$topic讲清楚，您的心情我非常理解。",
           "Thank you for explaining $topic so patiently; I understand how you feel.",
           "004", "非常有耐心,很难降低对方的期望值"),
    Phrase("open_help", "稳", "您不用着急，我非常理解您的心情，$topic我来帮您一起弄清楚。",
           "Don't worry, I will go through $topic with you.",
           "002", "我非常理解您的心情,我們一定會竭盡全力為您解決"),
    Phrase("open_feedback", "稳", "谢谢您跟我们说这些，我很理解您的感受，您提到的$topic帮我们发现服务的不足。",
           "Thank you for telling us this; I understand why it matters to you, and what you say about $topic "
           "helps us improve.",
           "004", "发现服务的盲点"),
    Phrase("open_revenge", "稳", "我能够理解您的心情，您说的每一点我都在认真记录。",
           "I understand how you feel, and I am writing down every point you make.",
           "004", "记录,是取得对方信任的有效途径"),
)}

# ------------------------------------------------------------------------------------ 道歉及感谢

APOLOGIES: dict[str, Phrase] = {p.key: p for p in (
    Phrase("apology_default", "道歉及感谢", "给您带来了这样的困扰，我们深表歉意，也感谢您把情况告诉我们。",
           "We are very sorry for the trouble this has caused you, and thank you for telling us about it.",
           "002", "我們對沒能給您較好的服務體驗深表歉意"),
    Phrase("apology_feedback", "道歉及感谢", "没能给您较好的服务体验，我们深表歉意，同时感谢您给我们提出的宝贵意见。",
           "We apologise that we did not give you a better experience, and thank you for your valuable comments.",
           "002", "同時感謝您給我們提出的寶貴意見"),
    Phrase("apology_service", "道歉及感谢", "刚才让您有了不好的体验，请您谅解，也谢谢您直接告诉我们。",
           "I am sorry for the experience you had earlier, and thank you for telling us directly.",
           "001", "我们的服务还有很多不周到之处,请您原谅,请多提宝贵意见"),
)}

# -------------------------------------------------------------------------------------------- 问

RESTATE = Phrase("restate", "问", "您认为$claim，所以要求$demands，是吗？",
                 "So you feel $claim, and you are asking for $demands — is that right?",
                 "000", "您认为受到了业务员的误导,所以要求全额退保并支付利息损失,是吗?")
ASK_WANT = Phrase("ask_want", "问", "关于$topic，您希望得到什么样的解决方案呢？",
                  "About $topic, what kind of solution would you like to see?",
                  "004", "确定对方想要什么解决方案")

# The same two questions naming the customer's own facts ($facts: key terms taken from their words by
# offline.key_facts, never a sentence of theirs). Used only when facts were found and the sentence passes
# the guard for every role; otherwise the topic versions above.
RESTATE_FACTS = Phrase("restate_facts", "问", "关于您说的$facts，您认为$claim，所以要求$demands，是吗？",
                       "You mentioned $facts. So you feel $claim, and you are asking for $demands — is that right?",
                       "000", "您认为受到了业务员的误导,所以要求全额退保并支付利息损失,是吗?")
ASK_WANT_FACTS = Phrase("ask_want_facts", "问", "关于您说的$facts，您希望得到什么样的解决方案呢？",
                        "You mentioned $facts. What kind of solution would you like to see?",
                        "004", "确定对方想要什么解决方案")

# issue -> questions about the facts that matter for it
FACTS: dict[str, tuple[Phrase, ...]] = {
    "mis_selling": (
        Phrase("facts_mis_selling_1", "问", "那业务员当时给您留下什么书面资料了吗？",
               "Did the agent leave you anything in writing at the time?", "000", "那业务员给您留下什么书面资料了吗"),
        Phrase("facts_mis_selling_2", "问", "方便告诉我是哪一份保单、大概什么时候买的吗？您是这份保单的投保人吗？",
               "Which policy is it and roughly when did you buy it? Are you the policyholder?",
               "000", "来访人的姓名、与投保人关系、险种、缴费、保额等"),
    ),
    "surrender": (
        Phrase("facts_surrender_1", "问", "方便告诉我是哪一份保单、缴费到什么时候了吗？您是这份保单的投保人吗？",
               "Which policy is it, and how far have the premiums been paid? Are you the policyholder?",
               "000", "来访人的姓名、与投保人关系、险种、缴费、保额等"),
    ),
    "claim": (
        Phrase("facts_claim_1", "问", "为了了解问题所在，方便告诉我是哪一次理赔、什么时候报的案，收到的通知上是怎么说的吗？",  # noqa: E501
               "Which claim is this, when was it reported, and what did the notice you received say?",
               "003", "提問並了解問題所在"),
    ),
    "remittance": (
        Phrase("facts_remittance_1", "问", "方便告诉我这笔汇款是哪天提交的、金额多少、用途是什么吗？这些细节我都记下来。",  # noqa: E501
               "When did you submit the transfer, for how much, and what is it for?",
               "004", "注意要收集细节"),
    ),
    "charges": (
        Phrase("facts_charges_1", "问", "为了了解问题所在，方便告诉我是哪一笔费用、什么时候扣的、金额是多少吗？",
               "Which charge is it, when was it taken and how much was it?", "003", "提問並了解問題所在"),
    ),
    "card_account": (
        Phrase("facts_card_account_1", "问", "为了了解问题所在，方便告诉我是从什么时候开始出现这个情况的，当时有没有收到通知？",  # noqa: E501
               "When did this start, and did you receive any notice at the time?", "003", "提問並了解問題所在"),
    ),
    "product": (
        Phrase("facts_product_1", "问", "方便告诉我是什么时候买的、出现了什么情况，之前有没有修理过？",
               "When did you buy it, what exactly went wrong, and has it been repaired before?",
               "003", "修理或更換產品"),
    ),
    "network": (
        Phrase("facts_network_1", "问", "为了了解问题所在，方便告诉我大概从什么时候开始、在什么地方、多久出现一次吗？",
               "Roughly since when, where, and how often does it happen?", "003", "提問並了解問題所在"),
    ),
    "delivery": (
        Phrase("facts_delivery_1", "问", "为了了解问题所在，方便告诉我订单是哪天下的、当时约定的送货时间是什么时候吗？",
               "When did you place the order, and what delivery date were you given?", "003", "提問並了解問題所在"),
    ),
    "service": (
        Phrase("facts_service_1", "问", "方便告诉我是哪天、大概几点、在哪个网点或哪条服务线遇到的吗？我做好记录。",
               "Which day, roughly what time, and at which branch or line did this happen?",
               "004", "做好投诉记录"),
    ),
    "general": (
        Phrase("facts_general_1", "问", "方便把事情的经过、时间这些细节和您手上的材料跟我说一下吗？我都记下来。",
               "Could you tell me what happened, when, and what papers you have? I will note it all down.",
               "004", "注意要收集细节"),
    ),
}

# -------------------------------------------------------------------------------------------- 动

RECORD = Phrase("record", "动", "我先把您反映的情况详细记录下来，您的投诉我们已经受理。",
                "First, I will write down everything you have told me; your complaint is now registered.",
                "000", "告知客户公司已受理其投诉")
RECORD_FACTS = Phrase("record_facts", "动", "我先把您反映的$facts这些情况详细记录下来，您的投诉我们已经受理。",
                      "First, I will write down everything you have told me, including $facts; your complaint is "
                      "now registered.", "000", "告知客户公司已受理其投诉")
MONEY_REVIEW = Phrase("money_review", "动", "您提出的$money的诉求，需要有权限的部门按规定核实审核，具体以审核结果为准。",  # noqa: E501
                      "Your request for $money has to be reviewed by the department with the authority to decide, "
                      "under our rules; the outcome depends on that review.",
                      "002", "具體以后臺處理結果為準")
SURRENDER_RULE = Phrase("surrender_rule", "动", "按照合同约定，现在退保是有损失的，建议您再考虑一下。",
                        "Under the contract, cancelling now would mean a loss, so I would suggest thinking it over.",
                        "000", "按照合同约定,现在退保是有损失的,建议您再考虑一下")
VERIFY_SALE = Phrase("verify_sale", "动", "当时的销售情况，我会让后台部门尽快帮您核实。",
                     "I will ask the back office to look into how the policy was sold.", "002", "讓我們后臺部門盡快幫您核實")  # noqa: E501
DISCIPLINE = Phrase("discipline", "动", "您对工作人员的意见，我会如实向上级反映，改进我们的工作。",
                    "I will pass your comments about the staff member to my superiors so that we improve.",
                    "001", "我会将您的意见向上级反映,改进我们的工作")
DEADLINE = Phrase("deadline", "动", "这个问题需要后台相关部门的配合，我会加急反馈处理，尽自己最大努力帮您争取处理进度。",  # noqa: E501
                  "This needs the back-office departments, so I will flag it as urgent and do my best to move it along.",  # noqa: E501
                  "002", "這個問題需要后臺相關部門的配合,我會加急反饋處理,盡自己最大努力幫您爭取處理進度")
FORWARD = Phrase("forward", "动", "您反映的问题很重要，我们会转交上级部门，我们会在$window与您联系。",
                 "What you have raised is important: we will pass it to the department above us and contact you $window_en.",  # noqa: E501
                 "000", "我们会转交上级部门,我们会在三个工作日内与您联系")
OWNERSHIP = Phrase("ownership", "动", "这件事情由我来负责跟进，有进展我会第一时间告诉您。",
                   "I will follow this up myself and tell you as soon as there is news.", "000", "这件事情由我来负责")

# --------------------------------------------------------------------------------------- 传 / 换

ESCALATIONS: dict[str, Phrase] = {p.key: p for p in (
    Phrase("media", "传", "这件事由我们办公室的同事统一对外回应，我马上帮您联系他们。",
           "Our office colleagues speak for the company on this; I will contact them for you straight away.",
           "000", "联系办公室人员,由他们出面接待"),
    Phrase("regulator", "传", "您有权通过任何正式渠道反映问题，我们也会按照正式投诉流程认真处理您的诉求。",
           "You have every right to raise this through any formal channel, and we will handle it through our formal "
           "complaint procedure.", "000", "按照标准流程,引入正式投诉程序"),
    Phrase("demand_manager", "传", "您希望和负责人当面谈，我这就去请我们的主管过来。",
           "You would like to speak to someone in charge; I will go and ask my supervisor to come over now.",
           "004", "请求上级的主管解决"),
    Phrase("vulnerable", "传", "您的情况我会如实向领导反映。", "I will report your situation to my manager exactly as it is.",  # noqa: E501
           "001", "把真实的情况,向领导反馈"),
    Phrase("group_visit", "换", "这里人多说话不方便，我们请大家到接待室坐下来，一位一位把情况说清楚，好吗？",
           "It is hard to talk properly here; shall we all go to the reception room and go through each person's case in turn?",  # noqa: E501
           "000", "积极准备好接待室"),
    Phrase("threat", "换", "我们换个安静的场所坐下来慢慢谈，好吗？", "Shall we sit down somewhere quieter and talk it through?",  # noqa: E501
           "004", "改变场所"),
    Phrase("former_agent", "换", "为了把您的情况了解清楚，我们请您到接待处单独沟通，好吗？",
           "So that I understand your situation properly, could we talk on our own over here?",
           "000", "配合接待人员将离职业务员和客户隔离"),
)}

# -------------------------------------------------------------------------------------------- 结

CLOSINGS: dict[str, Phrase] = {p.key: p for p in (
    Phrase("close_trust", "结", "再次感谢您对我们的信任和支持。", "Thank you again for your trust and support.",
           "002", "感謝客戶對我行的信任和支持"),
    Phrase("close_effort", "结", "我们一定会竭尽全力为您解决，请您放心。",
           "We will do everything we can to resolve this for you.", "002", "我們一定會竭盡全力為您解決,請您放心"),
    Phrase("close_feedback", "结", "谢谢您对我们的关心，我会把您的意见转达上级，改进我们的工作。",
           "Thank you for caring about our service; I will pass your views on so that we improve.",
           "001", "谢谢您对我们的关心,我会将您的意见向上级反映,改进我们的工作"),
)}


def all_phrases() -> list[Phrase]:
    """Every phrase template the composer may use."""
    fixed = [RESTATE, ASK_WANT, RESTATE_FACTS, ASK_WANT_FACTS, RECORD, RECORD_FACTS, MONEY_REVIEW, SURRENDER_RULE,
             VERIFY_SALE, DISCIPLINE, DEADLINE, FORWARD, OWNERSHIP]
    facts = [p for group in FACTS.values() for p in group]
    return [*OPENINGS.values(), *APOLOGIES.values(), *fixed, *facts, *ESCALATIONS.values(), *CLOSINGS.values()]
