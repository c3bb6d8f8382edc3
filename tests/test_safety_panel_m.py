"""Panel 2026-12-07-m (session 19, fresh scenarios h27/h28): the fraud script for a caller who hung up on a scammer and
sent nothing, said in a sentence apart from the scam's instructions. Tested in sentences of our own, with the twins
that must keep the flag: money already sent, or the code given."""

from __future__ import annotations

import pytest

from coach.analyze import analyse


def test_a_scam_call_hung_up_on_with_nothing_sent_is_no_fraud_in_progress() -> None:
    message = ("刚才有人打电话说是你们银行的客服，让我下载一个会议软件开屏幕共享。我越听越不对就挂了，钱没转。"
               "我想问我的手机号是怎么被他们知道的？")
    assert "fraud_in_progress" not in analyse(message).risk_flags


@pytest.mark.parametrize("message", [
    "刚才有人说是公安，让我下载会议软件共享屏幕，我转了两万，后来觉得不对就挂了，剩下的钱没转。",
    "刚才客服让我下个app开屏幕共享，我挂了，但是验证码我报给他了，钱没转。",
])
def test_money_sent_or_a_code_given_keeps_the_fraud_flag(message: str) -> None:
    assert "fraud_in_progress" in analyse(message).risk_flags
