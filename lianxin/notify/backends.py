"""Ways to send a text message; `settings.SMS_BACKEND` names the one in use.

A backend's `send(phone, text)` returns the gateway's id for the message (or "")
and raises `SmsError` when the message did not go out; the caller records the
error and retries later.
"""

import json
import logging
import threading

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class SmsBackend:
    name = "base"

    def send(self, phone: str, text: str) -> str:
        raise NotImplementedError


class ConsoleBackend(SmsBackend):
    """Writes each message to the log: for development."""

    name = "console"

    def send(self, phone: str, text: str) -> str:
        logger.info("SMS to %s: %s", phone, text)
        return ""


class FileBackend(SmsBackend):
    """Appends each message as a JSON line to `settings.SMS_FILE_PATH`: for development
    and tests, where what was sent is read back from the file."""

    name = "file"
    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> str:
        path = settings.SMS_FILE_PATH
        line = json.dumps(
            {"to": phone, "text": text, "at": timezone.localtime().isoformat()},
            ensure_ascii=False,
        )
        try:
            with self._lock:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "a", encoding="utf-8") as out:
                    out.write(line + "\n")
        except OSError as error:
            raise SmsError(f"cannot write {path}: {error}") from error
        return ""


class HttpGatewayBackend(SmsBackend):
    """POSTs `{"to": phone, "text": text}` as JSON to `settings.SMS_GATEWAY_URL` with the key
    as a bearer token; any 2xx answer is success, and its JSON `id`, if any, is kept."""

    name = "http"

    def send(self, phone: str, text: str) -> str:
        url = settings.SMS_GATEWAY_URL
        if not url:
            raise SmsError("SMS_GATEWAY_URL is not set")
        try:
            response = requests.post(
                url,
                json={"to": phone, "text": text},
                headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_KEY}"},
                timeout=settings.SMS_GATEWAY_TIMEOUT,
            )
        except requests.RequestException as error:
            raise SmsError(f"{type(error).__name__}: {error}") from error
        if not 200 <= response.status_code < 300:
            raise SmsError(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            answer = response.json()
        except ValueError:
            return ""
        return str(answer.get("id", "")) if isinstance(answer, dict) else ""


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
