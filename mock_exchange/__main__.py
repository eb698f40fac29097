"""`python -m mock_exchange` is the `kraken-mock` command."""

from .cli import main

raise SystemExit(main())
