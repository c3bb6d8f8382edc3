"""Personal data masking: realistic numbers (valid ID check digits, Luhn-valid cards), reversible."""

from __future__ import annotations

import logging

import pytest

from coach.redact import Redactor, luhn_valid, mask, valid_id_number

IDS = ["11010519491231002X", "440304198512034512", "310115197001011233", "320583199211220040"]
CARDS = ["6222021234567890128", "6217000000000000004", "4367421234567896"]


@pytest.mark.parametrize("number", IDS)
def test_valid_ids_are_recognised_and_masked(number: str) -> None:
    assert valid_id_number(number)
    masked = mask(f"我的身份证号是{number}，请核实")
    assert number not in masked and "[ID_1]" in masked


def test_id_with_a_wrong_check_digit_is_not_an_id() -> None:
    assert not valid_id_number("11010519491231002Y")
    assert not valid_id_number("110105194912310021")


@pytest.mark.parametrize("number", CARDS)
def test_luhn_valid_cards_are_masked_with_or_without_spaces(number: str) -> None:
    assert luhn_valid(number)
    spaced = " ".join(number[i: i + 4] for i in range(0, len(number), 4))
    for written in (number, spaced, number[:4] + "-" + number[4:]):
        masked = mask(f"卡号{written}被扣款")
        assert "[CARD_1]" in masked and written not in masked


# Staff and customers mistype: what looks like an ID, card, phone or account number is masked whether or not
# its checksum holds (issue #22). The checksum only chooses the label the model sees.
MISTYPED = [
    ("110105194912310021", "ID"),      # wrong check digit
    ("44030419851203451X", "ID"),      # X, wrong check digit
    ("440304198513034512", "ACCOUNT"),  # month 13: not shaped like an ID, still masked
    ("6222021234567890127", "ACCOUNT"),  # fails Luhn
    ("6222 0212 3456 7890 127", "ACCOUNT"),
    ("6228480402564890018001", "ACCOUNT"),  # 22 digits: a corporate account
    ("1381234567", "ACCOUNT"),         # a mobile number one digit short
    ("0755-88881234", "PHONE"),        # a landline
    ("010 62345678", "PHONE"),
]


@pytest.mark.parametrize(("number", "kind"), MISTYPED)
def test_numbers_failing_their_checksum_are_masked_too(number: str, kind: str) -> None:
    masked = mask(f"客户说号码是{number}，麻烦核实")
    assert number not in masked and f"[{kind}_1]" in masked, masked
    assert not any(part in masked for part in number.replace("-", " ").split() if len(part) >= 4)


def test_checksums_choose_the_label() -> None:
    assert not luhn_valid("6222021234567890127") and not valid_id_number("110105194912310021")
    assert mask("卡号6222021234567890128") == "卡号[CARD_1]"
    assert mask("订单号6222021234567890127") == "订单号[ACCOUNT_1]"


def test_a_mobile_with_its_country_code_is_one_phone() -> None:
    assert mask("电话+8613912345678和008613912345678") == "电话[PHONE_1]和[PHONE_2]"


@pytest.mark.parametrize("phone", ["13812345678", "138 1234 5678", "138-1234-5678", "+8613912345678", "+86 139 1234 5678"])
def test_mobile_numbers(phone: str) -> None:
    masked = mask(f"电话{phone}，尽快回电")
    assert "[PHONE_1]" in masked and phone not in masked


def test_amounts_dates_and_short_numbers_stay() -> None:
    text = "金额12345元，工号1024，2026-12-05 14:30，订单 2026 年第 3 单，热线95588"
    assert mask(text) == text


def test_email_plate_and_address() -> None:
    text = "邮箱 wang.li@example.com，车牌粤B·D12345和京A12345，地址广东省深圳市南山区科技园路18号3栋1201室"
    masked = mask(text)
    for value in ("wang.li@example.com", "粤B·D12345", "京A12345", "科技园路18号"):
        assert value not in masked
    assert "[EMAIL_1]" in masked and "[PLATE_2]" in masked and "[ADDRESS_1]" in masked


def test_restore_round_trip_and_stable_placeholders() -> None:
    redactor = Redactor()
    text = f"身份证{IDS[0]}，卡{CARDS[0]}，电话13812345678，再说一遍卡{CARDS[0]}"
    masked = redactor.mask(text)
    assert masked.count("[CARD_1]") == 2
    assert redactor.restore(masked) == text
    assert redactor.restore("请核对 [CARD_1]") == f"请核对 {CARDS[0]}"
    assert redactor.unknown_placeholders("[CARD_1] [PHONE_9]") == ["[PHONE_9]"]


def test_id_is_not_taken_for_a_card_or_phone() -> None:
    masked = mask(f"证件{IDS[1]}")
    assert masked == "证件[ID_1]"


def test_log_lines_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    from coach.redact import install_log_masking

    logger = logging.getLogger("coach.test")
    install_log_masking(logger)
    with caplog.at_level(logging.INFO, logger="coach.test"):
        logger.info("customer %s called from %s", IDS[0], "13812345678")
    assert IDS[0] not in caplog.text and "13812345678" not in caplog.text and "[ID_1]" in caplog.text


@pytest.mark.parametrize(
    "address",
    ["北京市朝阳区建国路88号院3号楼2单元501", "上海市浦东新区世纪大道100号", "广州市天河区体育西路3号1栋1202室"],
)
def test_the_whole_address_is_masked_down_to_the_room(address: str) -> None:
    masked = mask(f"我住在{address}，你们上门来")
    assert masked.endswith("[ADDRESS_1]，你们上门来")
    assert not any(part in masked for part in ("88", "501", "100号", "1202", "建国路", "体育西路"))


@pytest.mark.parametrize(("text", "kept"), [
    ("我们保证明天派人把钱送到中山路5号。", "我们保证明天派人把钱送到"),
    ("退款三天内一定打到您在朝阳区建国路88号的账户", "退款三天内一定打到您在"),
])
def test_an_address_does_not_swallow_the_words_before_it(text: str, kept: str) -> None:
    """The guard's second opinion must read the promise; only the place is personal data."""
    masked = Redactor().mask(text)
    assert masked.startswith(kept) and "[ADDRESS_1]" in masked
