"""Celery: tasks run through the configured broker (Redis in CI) or eagerly by default."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from config.celery import app
from workflows.tasks import send_email


def test_email_task_is_delivered_through_the_configured_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        result = send_email.delay(["school@example.cn"], "预约已确认", "您的预约已确认。")
        assert result.get() == 1
    else:
        assert settings.CELERY_BROKER_URL.startswith("redis://")
        app.conf.task_always_eager = False
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = send_email.delay(["school@example.cn"], "预约已确认", "您的预约已确认。")
            assert result.get(timeout=30) == 1
    assert [m.subject for m in mail.outbox] == ["预约已确认"]
    assert mail.outbox[0].to == ["school@example.cn"]


@pytest.mark.skipif(settings.CELERY_TASK_ALWAYS_EAGER, reason="needs a real broker")
def test_the_broker_is_a_real_redis_server():
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        assert connection.transport.driver_type == "redis"
