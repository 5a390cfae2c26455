"""Test-only SMS adapter for the two-worker outbox test: appends each delivered message's id to the file named by
WUYE_TEST_SENT_LOG (one line per send, so a double delivery shows as a repeated id)."""

import os
import time


class RecordingSmsAdapter:
    channel = "sms"

    def send(self, notification):
        time.sleep(float(os.environ.get("WUYE_TEST_SEND_PAUSE", "0")))  # lets two workers' batches overlap
        with open(os.environ["WUYE_TEST_SENT_LOG"], "a") as log:
            log.write(f"{notification.pk}\n")
