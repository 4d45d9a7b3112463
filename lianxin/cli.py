"""The `lianxin` console script: Django's management commands under the project's name."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lianxin", *(sys.argv[1:] if argv is None else argv)])
    return 0
