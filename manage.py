#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    # The statement timeout protects web workers from one pathological query; management
    # commands (migrate, generate_cases, backup, purge_contacts) legitimately run long
    # statements on a large database, so they run without it unless it is set explicitly.
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
