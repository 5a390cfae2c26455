"""Personal data is masked in lists and never reaches a log line in full."""

import logging

from wuye.core.pii import MaskPIIFilter, mask_id_number, mask_phone, mask_text


def test_masks_follow_the_spec_examples():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number("110105199001011234") == "110105********1234"
    assert mask_phone("") == ""


def test_free_text_is_masked():
    text = "业主 13812341234 身份证 11010519491231002X 来电"
    assert mask_text(text) == "业主 138****1234 身份证 110105********002X 来电"


def test_logging_filter_masks_arguments(caplog):
    logger = logging.getLogger("wuye.test.pii")
    logger.addFilter(MaskPIIFilter())
    with caplog.at_level(logging.INFO, logger="wuye.test.pii"):
        logger.info("Owner phone %s", "13812341234")
    assert "13812341234" not in caplog.text
    assert "138****1234" in caplog.text
