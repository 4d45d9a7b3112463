"""Exit 0 if the PostgreSQL server in argv[1] answers, 1 otherwise (used by `make test`)."""

import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except psycopg.Error as error:
    print(f"PostgreSQL: {error}".strip(), file=sys.stderr)
    sys.exit(1)
